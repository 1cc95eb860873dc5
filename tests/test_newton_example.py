"""examples/newton_example.py: Hessian-vector products, Newton's method, gradient descent."""

import importlib.util
import sys
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "newton_example.py"


def test_newton_converges_long_before_gradient_descent(capsys):
    spec = importlib.util.spec_from_file_location("newton_example", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    try:
        spec.loader.exec_module(module)
        result = module.main(["--steps", "40", "--newton-steps", "8", "--power-iterations", "30"])
    finally:
        del sys.modules[spec.name]
    assert abs(result["top_curvature"] - result["exact_top_curvature"]) < 1e-6
    descent, newton = result["descent"], result["newton"]
    assert all(b <= a for a, b in zip(descent, descent[1:]))  # lr = 1/L never overshoots
    assert newton[-1] < descent[-1] - 1e-3
    assert abs(newton[-1] - newton[-2]) < 1e-8  # converged
    assert "largest Hessian eigenvalue" in capsys.readouterr().out
