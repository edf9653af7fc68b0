"""Usage errors Typer and Click find before a command runs, in gradcli's own words: ``error:`` and ``hint:``.

Typer checks some values itself (a number outside an option's ``min=``/``max=``,
a malformed number, a choice that is not offered, a missing argument, an
unknown option) and would print them in its boxed usage panel.  ``GradcliGroup``,
the class of gradcli's root command, turns each into one or two lines on stderr
and exit status 2, like every other usage error::

    error: --precision must lie in 0..15, got 99
    hint: gradcli grad -h describes --precision

    error: gradcli train has no option --stpes
    hint: did you mean --steps?

Both ``gradcli`` and the tests' ``CliRunner`` (which calls the root command's
``main``) go through the group's ``make_context`` and ``invoke``, where this
happens.  The group also keeps a ``--`` for the commands that read variables
from free-form arguments (``gradcli grad -- "--x" x=1``: after ``--``, "--x" is
the expression, not an option).
"""

from __future__ import annotations

import re
from contextlib import contextmanager

from typer.core import TyperGroup

from ..errors import UsageError

DOUBLE_DASH = "--"
_EXTRA = re.compile(r"Got unexpected extra argument(?:s|\(s\))? \((.*)\)", re.S)
_NO_COMMAND = re.compile(r"No such command '(.*?)'")
_NUMBER_LIKE = re.compile(r"-\s*(?:inf(?:inity)?|nan|[0-9.])", re.I)  # a negative number, or a word for one


class GradcliGroup(TyperGroup):
    """gradcli's root command: Typer's group, with usage errors reported as gradcli reports errors."""

    def make_context(self, info_name, args, parent=None, **extra):
        with reported_usage_errors():
            return super().make_context(info_name, args, parent=parent, **extra)

    def invoke(self, ctx):
        with reported_usage_errors(ctx):
            return super().invoke(ctx)

    def resolve_command(self, ctx, args):
        name, command, rest = super().resolve_command(ctx, args)
        if command is not None and command.context_settings.get("ignore_unknown_options"):
            rest = joined_negative_values(kept_double_dash(rest), command)
        return name, command, rest


def joined_negative_values(args: list[str], command) -> list[str]:
    """``--x -inf`` as ``--x=-inf`` for a variable (an option the command does not have).

    Click reads a word after a variable on its own, and ``-inf`` as short options (``-i -n -f``):
    ``-f`` is ``grad``'s file option.  Joined, the variable's value reaches ``split_variables`` whole.
    """
    known = {opt for param in command.params for opt in (*param.opts, *param.secondary_opts)}
    joined, index = [], 0
    while index < len(args):
        token = args[index]
        if token == DOUBLE_DASH:
            return joined + args[index:]
        following = args[index + 1] if index + 1 < len(args) else ""
        if (token.startswith("--") and "=" not in token and token not in known
                and following.startswith("-") and _NUMBER_LIKE.match(following)):
            joined.append(f"{token}={following}")
            index += 2
        else:
            joined.append(token)
            index += 1
    return joined


def kept_double_dash(args: list[str]) -> list[str]:
    """``args`` with its first ``--`` doubled: Click takes one, the command reads the other (``split_variables``)."""
    if DOUBLE_DASH not in args:
        return args
    at = args.index(DOUBLE_DASH)
    return args[:at] + [DOUBLE_DASH] + args[at:]


@contextmanager
def reported_usage_errors(ctx=None):
    """Print a Click usage error as gradcli's ``error:``/``hint:`` lines and exit 2 (help requests pass).

    ``ctx``: the group's context, which names the command when the error does not.
    """
    from typer._click.exceptions import ClickException, NoArgsIsHelpError

    try:
        yield
    except NoArgsIsHelpError:
        raise  # `gradcli` alone: Typer prints the help
    except ClickException as error:
        import typer

        from .common import report

        report(usage_error(error, _command_path(ctx)))
        raise typer.Exit(getattr(error, "exit_code", 2)) from None


def _command_path(ctx) -> str:
    """``gradcli train`` while the group runs ``train`` (``gradcli`` before it knows which)."""
    if ctx is None:
        return "gradcli"
    return f"{ctx.command_path} {ctx.invoked_subcommand}" if ctx.invoked_subcommand else ctx.command_path


def usage_error(error, command: str = "gradcli") -> UsageError:
    """gradcli's ``UsageError`` for a Click exception: what was wrong, which option, the range or choices.

    ``command`` names the command when the error has no context of its own.
    """
    from typer._click.exceptions import BadOptionUsage, BadParameter, MissingParameter, NoSuchOption

    ctx = getattr(error, "ctx", None)
    command = ctx.command_path if ctx is not None else command
    help_hint = f"{command} -h shows the usage"
    if isinstance(error, NoSuchOption):
        return UsageError(f"{command} has no option {error.option_name}",
                          hint=_did_you_mean(error.option_name, _option_names(ctx)) or help_hint)
    if isinstance(error, MissingParameter) and error.param is not None:
        what = getattr(error.param, "help", None)
        needed = _param_name(error.param) + (f": {_sentence(what)}" if what else "")
        return UsageError(f"{command} needs {needed}", hint=_usage_line(ctx) or help_hint)
    if isinstance(error, BadParameter) and error.param is not None:
        return _bad_value(error, command)
    if isinstance(error, BadOptionUsage):
        option = error.option_name
        if "does not take a value" in error.message:
            return UsageError(f"{option} takes no value", hint=f"{command} -h describes {option}")
        return UsageError(f"{option} needs a value: {option} VALUE", hint=f"{command} -h describes {option}")
    message = getattr(error, "message", str(error))
    extra = _EXTRA.match(message)
    if extra:
        return UsageError(f"unexpected argument '{extra.group(1)}' for {command}", hint=_usage_line(ctx) or help_hint)
    unknown = _NO_COMMAND.match(message)
    if unknown and ctx is not None:
        name = unknown.group(1)
        commands = list(getattr(ctx.command, "commands", {}))
        return UsageError(f"{command} has no command '{name}'",
                          hint=_did_you_mean(name, commands) or f"{command} -h lists the commands")
    if message.rstrip(".") == "Missing command" and ctx is not None:
        return UsageError(f"{command} needs a command", hint=f"{command} -h lists the commands")
    return UsageError(_sentence(message), hint=help_hint)


def _bad_value(error, command: str) -> UsageError:
    """A value Typer refused: out of its range, not a number, not one of the choices."""
    param = error.param
    name = _param_name(param)
    described = f"{command} -h describes {name}"
    value = _refused_value(error)
    shown = f"'{value}'" if value is not None else None
    descriptor = getattr(param, "type_descriptor", None)
    annotation = getattr(descriptor, "annotation", None)
    info = getattr(descriptor, "parameter_info", None)
    low, high = getattr(info, "min", None), getattr(info, "max", None)
    if getattr(descriptor, "is_choice", False) and descriptor.choices:
        choices = [str(getattr(choice, "value", choice)) for choice in descriptor.choices]
        got = f"; got {shown}" if shown else ""
        close = _did_you_mean(str(value), choices) if value is not None else None
        return UsageError(f"{name} must be one of {', '.join(choices)}{got}", hint=close or described)
    if annotation in (int, float):
        number = _number(value, annotation)
        kind = "a whole number" if annotation is int else "a number"
        allowed = _range_text(low, high, annotation)
        if number is None:
            what = f"{shown} is not {kind} for {name}" if shown else f"{name} takes {kind}"
            return UsageError(what, hint=f"{name} takes {kind} {allowed}" if allowed else described)
        if allowed:
            verb = "lie" if allowed.startswith("in ") else "be"
            return UsageError(f"{name} must {verb} {allowed}, got {value}", hint=described)
    detail = _sentence(getattr(error, "message", str(error)))
    return UsageError(f"invalid value for {name}" + (f" {shown}" if shown else "") + f": {detail}", hint=described)


def _refused_value(error):
    """The text the user gave, from the validation error Typer raised it from (None when it is not known)."""
    cause = error.__cause__
    errors = getattr(cause, "errors", None)
    if callable(errors):
        try:
            found = errors()
        except Exception:  # a cause of another kind: the message stays without the value
            return None
        if found and "input" in found[0]:
            return found[0]["input"]
    return None


def _number(value, annotation):
    if value is None:
        return None
    try:
        return annotation(str(value).strip())
    except ValueError:
        return None


def _range_text(low, high, annotation) -> str | None:
    """``in 0..15`` (whole numbers), ``in [0, 1]``, ``at least 1``, ``at most 15``; None without bounds."""
    def plain(number):
        return f"{number:g}" if isinstance(number, float) else str(number)

    if low is not None and high is not None:
        return f"in {plain(low)}..{plain(high)}" if annotation is int else f"in [{plain(low)}, {plain(high)}]"
    if low is not None:
        return f"at least {plain(low)}"
    if high is not None:
        return f"at most {plain(high)}"
    return None


def _param_name(param) -> str:
    """``--precision`` for an option (its long name), ``MODEL`` for an argument."""
    options = [name for name in getattr(param, "opts", []) if name.startswith("-")]
    if options:
        return max(options, key=len)
    name = getattr(param, "metavar", None) or param.name or "argument"
    return name.strip("{}[]").upper()


def _option_names(ctx) -> list[str]:
    if ctx is None:
        return []
    return [name for param in ctx.command.get_params(ctx) for name in getattr(param, "opts", []) +
            getattr(param, "secondary_opts", []) if name.startswith("-")]


def _did_you_mean(typed: str, offered: list[str]) -> str | None:
    """``did you mean --steps?`` for a likely slip (a close spelling or a unique prefix); None otherwise."""
    import difflib

    starting = [name for name in offered if name.startswith(typed) and len(typed) > 2]
    close = starting if len(starting) == 1 else difflib.get_close_matches(typed, offered, n=1, cutoff=0.75)
    return f"did you mean {close[0]}?" if close else None


def _usage_line(ctx) -> str | None:
    if ctx is None:
        return None
    return ctx.get_usage().replace("Usage: ", "usage: ", 1).strip()


def _sentence(message: str) -> str:
    """Click's sentence as part of ours: no capital, no full stop."""
    message = message.strip().rstrip(".")
    return message[:1].lower() + message[1:]
