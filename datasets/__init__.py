"""Small CSV datasets shipped with gradcli (installed as ``gradcli.datasets``)."""
