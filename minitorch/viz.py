"""The computational graph behind a tensor as Graphviz DOT text (render it with `dot -Tpng`)."""

from __future__ import annotations

from collections.abc import Mapping

from minitorch.tensor import Tensor


def _shape_text(t: Tensor) -> str:
    return "(" + ", ".join(str(n) for n in t.shape) + ")"


def to_dot(root: Tensor, params: Mapping[str, Tensor] | None = None) -> str:
    """Describe the graph that produced ``root``: one box per tensor (shape, dtype; named and
    shaded when it is a parameter), one ellipse per operation, arrows in the direction data
    flows. ``params`` maps names to tensors, e.g. ``dict(model.named_parameters())``;
    tensors of type ``Parameter`` are marked as parameters even without a name.

    ``backward()`` frees the graph it runs through, so call ``to_dot`` before it (or run
    ``backward(retain_graph=True)``): drawing a freed graph raises RuntimeError, as a second
    ``backward()`` through it would, rather than drawing a part of it.
    """
    names = {id(t): name for name, t in (params or {}).items()}
    ids: dict[int, str] = {}
    lines = ["digraph minitorch {", '  rankdir="LR";', '  node [fontname="Helvetica"];']

    def node_id(t: Tensor) -> str:
        if id(t) not in ids:
            ids[id(t)] = f"t{len(ids)}"
            is_param = id(t) in names or type(t).__name__ == "Parameter"
            label = f"{names[id(t)]}\\n" if id(t) in names else ""
            label += f"{_shape_text(t)} {t.dtype}"
            style = ', style="filled", fillcolor="lightblue"' if is_param else ""
            if is_param and id(t) not in names:
                label = "parameter\\n" + label
            lines.append(f'  {ids[id(t)]} [shape="box", label="{label}"{style}];')
        return ids[id(t)]

    stack, seen = [root], {id(root)}
    node_id(root)
    op_count = 0
    while stack:
        t = stack.pop()
        ctx = t._ctx
        if ctx is None:
            continue
        if ctx.parents is None:
            raise RuntimeError(
                f"to_dot: the graph was freed by backward() (the {type(ctx).__name__} "
                "operation no longer knows its inputs): call to_dot before backward(), or "
                "backward(retain_graph=True) to keep the graph"
            )
        op = f"op{op_count}"
        op_count += 1
        lines.append(f'  {op} [shape="ellipse", label="{type(ctx).__name__}"];')
        lines.append(f"  {op} -> {node_id(t)};")
        for parent in ctx.parents:
            lines.append(f"  {node_id(parent)} -> {op};")
            if id(parent) not in seen:
                seen.add(id(parent))
                stack.append(parent)
    lines.append("}")
    return "\n".join(lines) + "\n"
