"""``gradcli export``: a saved model as an ONNX file, its input pipeline included.

Three beats: read the model file -> ``learn.export.onnx_model`` (needs the ``onnx`` package:
``gradcli[onnx]``) -> write it atomically and say what it holds.
"""

from typing import Annotated

import typer

from .app import app
from .common import console, reports_errors

EXAMPLES = """Examples:

  gradcli export model.json -o model.onnx

  gradcli export spiral.json -o spiral.onnx --float32
"""


@app.command("export", epilog=EXAMPLES)
@reports_errors
def export_command(
    model_path: Annotated[str, typer.Argument(metavar="MODEL", help="A model saved by gradcli train --save.",
                                              show_default=False)],
    output: Annotated[str, typer.Option("--output", "-o", help="The ONNX file to write.", metavar="FILE.onnx",
                                        show_default=False)],
    float32: Annotated[bool, typer.Option("--float32", help="float32 numbers (default: float64, as gradcli "
                                                            "computes them).")] = False,
) -> None:
    """Export a saved model to ONNX: features, standardisation and the network, for ONNX Runtime, Netron, PyTorch.

    The graph takes the raw inputs as one matrix (a row per sample, the model's
    input names as columns) and gives `outputs` (what predict shows as score or
    outputs), `probabilities` (cross-entropy classifiers) and `label` (a
    classifier's class, as originally labelled).
    """
    from ..learn.export import OPSET, onnx_model, write_onnx
    from ..learn.modelfile import load_model
    from ..paths import refuse_overlaps

    refuse_overlaps(outputs={"output": output}, inputs={"model": model_path})
    saved = load_model(model_path)
    model = onnx_model(saved, float32=float32, source=model_path)
    size = write_onnx(output, model)
    outputs = ", ".join(value.name for value in model.graph.output)
    names = saved.pipeline["input_names"] if saved.pipeline else saved.input_names
    layers = ", ".join(f"{layer.n_outputs} {layer.activation}" for layer in saved.layers)
    console().print(f"wrote {output} ({size:,} bytes, {'float32' if float32 else 'float64'}, opset {OPSET}): "
                    f"inputs ({', '.join(names)}) -> layers {layers} -> {outputs}",
                    markup=False, highlight=False, soft_wrap=True)
