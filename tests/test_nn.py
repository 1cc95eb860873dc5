import copy
import math

import numpy as np
import pytest

import minitorch
from minitorch import Tensor, gradcheck, nn
from minitorch.nn import functional as F
from minitorch.nn import init
from minitorch.ops.nn import Linear as LinearFunction

# ----- Parameter ------------------------------------------------------------------------------


def test_parameter_is_a_tensor_that_requires_grad():
    p = nn.Parameter(np.ones((2, 3), dtype=np.float32))
    assert isinstance(p, Tensor) and p.requires_grad and p.is_leaf
    assert nn.Parameter.__slots__ == () and not hasattr(p, "__dict__")
    assert repr(p).startswith("Parameter containing:\ntensor(")
    frozen = nn.Parameter([1.0, 2.0], requires_grad=False)
    assert not frozen.requires_grad


def test_operations_on_parameters_give_plain_tensors():
    p = nn.Parameter([1.0, 2.0])
    assert type(p * 2) is Tensor


# ----- registration and traversal -------------------------------------------------------------


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(3, 4)
        self.scale = nn.Parameter(np.ones(4, dtype=np.float32))
        self.not_registered = [nn.Linear(2, 2)]  # plain lists are not searched
        self.note = "just an attribute"

    def forward(self, x):
        return self.fc(x) * self.scale


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.block = Block()
        self.heads = nn.ModuleList([nn.Linear(4, 2), nn.Linear(4, 1, bias=False)])

    def forward(self, x):
        h = self.block(x)
        return [head(h) for head in self.heads]


def test_parameters_and_submodules_register_by_assignment():
    net = Net()
    names = [name for name, _ in net.named_parameters()]
    assert names == [
        "block.scale",
        "block.fc.weight",
        "block.fc.bias",
        "heads.0.weight",
        "heads.0.bias",
        "heads.1.weight",
    ]
    assert set(names) == set(net.state_dict())
    assert [type(m).__name__ for m in net.children()] == ["Block", "ModuleList"]
    assert [name for name, _ in net.named_modules()] == [
        "",
        "block",
        "block.fc",
        "heads",
        "heads.0",
        "heads.1",
    ]
    assert len(list(net.modules())) == 6 and next(net.modules()) is net


def test_own_parameters_come_before_submodules_as_in_pytorch():
    block = Block()
    assert [name for name, _ in block.named_parameters()] == ["scale", "fc.weight", "fc.bias"]
    assert [name for name, _ in block.named_parameters(recurse=False)] == ["scale"]


def test_parameters_is_an_iterator_that_concatenates():
    layer1, layer2 = nn.Linear(4, 3), nn.Linear(3, 2)
    params = layer1.parameters() + layer2.parameters()
    assert isinstance(params, list) and len(params) == 4
    assert params[0] is layer1.weight and params[3] is layer2.bias
    joined = [layer1.weight] + layer2.parameters()
    assert len(joined) == 3 and joined[1] is layer2.weight


@pytest.mark.parametrize(
    "method",
    ["parameters", "named_parameters", "buffers", "named_buffers", "children",
     "named_children", "modules", "named_modules"],
)
def test_module_member_listings_are_one_pass_iterators_as_in_pytorch(method):
    model = nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3), nn.Sequential(nn.Linear(3, 1)))
    first = next(getattr(model, method)())  # PyTorch returns generators, so next() works
    members = getattr(model, method)()
    listed = list(members)
    assert list(members) == []  # used up, as a generator is
    assert listed[0] is first or listed[0][1] is first[1]
    again = list(getattr(model, method)())
    assert len(again) == len(listed) and all(
        a is b or (a[0] == b[0] and a[1] is b[1]) for a, b in zip(again, listed)
    )


def test_shared_parameter_is_listed_once():
    shared = nn.Linear(3, 3)
    model = nn.Sequential(shared, nn.ReLU(), shared)
    assert len(list(model.parameters())) == 2
    # As in PyTorch, the state dict names tied weights by every path to them.
    assert list(model.state_dict()) == ["0.weight", "0.bias", "2.weight", "2.bias"]
    model.load_state_dict(model.state_dict())


def test_reassigning_and_deleting_attributes_updates_the_registry():
    layer = nn.Linear(2, 2)
    layer.bias = None
    assert [name for name, _ in layer.named_parameters()] == ["weight"]
    layer.bias = nn.Parameter(np.zeros(2, dtype=np.float32))
    assert len(list(layer.parameters())) == 2
    del layer.bias
    assert len(list(layer.parameters())) == 1 and not hasattr(layer, "bias")


def test_assigning_a_plain_tensor_to_a_parameter_name_is_an_error():
    layer = nn.Linear(2, 2)
    with pytest.raises(TypeError, match="parameter 'weight'.*Parameter or None"):
        layer.weight = layer.weight * 2
    model = nn.Sequential(nn.ReLU())
    model.inner = nn.ReLU()
    with pytest.raises(TypeError, match="submodule 'inner'"):
        model.inner = 3


@pytest.mark.parametrize("name", ["a.b", ""])
def test_names_with_dots_or_empty_are_refused_as_in_pytorch(name):
    model = nn.Sequential(nn.Linear(2, 2))
    problem = "cannot contain" if name else "cannot be the empty"
    with pytest.raises(KeyError, match=f"module name {problem}"):
        model.add_module(name, nn.ReLU())
    with pytest.raises(KeyError, match=f"parameter name {problem}"):
        setattr(model, name, nn.Parameter([1.0]))
    with pytest.raises(KeyError, match=f"module name {problem}"):
        setattr(model, name, nn.ReLU())
    with pytest.raises(KeyError, match=f"buffer name {problem}"):
        model.register_buffer(name, np.zeros(1))
    assert list(model.state_dict()) == ["0.weight", "0.bias"]


def test_setattr_of_a_dotted_parameter_name_cannot_lose_it_on_save():
    model = nn.Sequential(nn.Linear(2, 2))
    with pytest.raises(KeyError, match="parameter name cannot contain"):
        setattr(model, "0.weight", nn.Parameter([1.0]))
    assert model.state_dict()["0.weight"].shape == (2, 2)


def test_add_module_refuses_names_that_are_not_strings_or_already_attributes():
    model = nn.Sequential(nn.Linear(2, 2))
    with pytest.raises(TypeError, match="module name should be a string, got int"):
        model.add_module(1, nn.ReLU())
    with pytest.raises(KeyError, match="attribute 'forward' already exists"):
        model.add_module("forward", nn.ReLU())
    model.add_module("0", nn.ReLU())  # replacing a submodule is allowed
    assert isinstance(model[0], nn.ReLU)


def test_assignment_before_super_init_explains_the_fix():
    class Forgetful(nn.Module):
        def __init__(self):
            self.fc = nn.Linear(2, 2)

    with pytest.raises(AttributeError, match=r"super\(\).__init__\(\)"):
        Forgetful()


def test_forward_must_be_defined():
    with pytest.raises(NotImplementedError, match="ModuleList does not define forward"):
        nn.ModuleList([nn.ReLU()])(Tensor([1.0]))


def test_zero_grad_sets_grads_to_none():
    model = nn.Sequential(nn.Linear(3, 2))
    model(Tensor(np.ones((4, 3)))).sum().backward()
    assert all(p.grad is not None for p in model.parameters())
    model.zero_grad()
    assert all(p.grad is None for p in model.parameters())


def test_zero_grad_set_to_none_false_zeroes_the_grads_in_place():
    model = nn.Sequential(nn.Linear(3, 2))
    model(Tensor(np.ones((4, 3)))).sum().backward()
    grads = [p.grad for p in model.parameters()]
    model.zero_grad(set_to_none=False)
    assert all(p.grad is g and not g.numpy().any() for p, g in zip(model.parameters(), grads))
    model.zero_grad(set_to_none=True)
    assert all(p.grad is None for p in model.parameters())


def test_apply_visits_every_module_children_first():
    model = nn.Sequential(nn.Linear(2, 2), nn.Sequential(nn.Linear(2, 2)))
    visited = []
    assert model.apply(visited.append) is model
    assert visited[-1] is model and len(visited) == 4

    def zero_biases(module):
        if isinstance(module, nn.Linear):
            init.ones_(module.bias)

    model.apply(zero_biases)
    assert all(np.all(m.bias.data == 1) for m in model.modules() if isinstance(m, nn.Linear))


# ----- containers -----------------------------------------------------------------------------


def test_sequential_indexing_length_iteration_and_append():
    first, second = nn.Linear(2, 3), nn.ReLU()
    model = nn.Sequential(first, second)
    assert model[0] is first and model[-1] is second and len(model) == 2
    assert list(model) == [first, second]
    head = model[:1]
    assert isinstance(head, nn.Sequential) and head[0] is first
    model.append(nn.Linear(3, 1))
    assert len(model) == 3 and [n for n, _ in model.named_parameters()][-1] == "2.bias"
    x = Tensor(np.ones((5, 2)))
    np.testing.assert_allclose(model(x).data, model[2](model[1](model[0](x))).data)
    with pytest.raises(TypeError, match="Sequential holds Modules, got ufunc"):
        nn.Sequential(np.tanh)


def test_module_list_is_indexable_and_extendable():
    layers = nn.ModuleList()
    layers.extend([nn.Linear(2, 2), nn.Linear(2, 2)]).append(nn.Tanh())
    assert len(layers) == 3 and isinstance(layers[2], nn.Tanh)
    assert isinstance(layers[:2], nn.ModuleList) and len(layers[:2]) == 2
    assert len(list(layers.parameters())) == 4
    with pytest.raises(TypeError, match="ModuleList holds Modules"):
        layers.append("relu")


@pytest.mark.parametrize("container", ["Sequential", "ModuleList"])
def test_numbered_containers_change_in_place_as_pytorchs(container):
    """Item assignment, deletion, insert and pop, as PyTorch has them: the modules stay
    numbered 0, 1, ... in order, as attributes, in state_dict and when printed."""
    make = getattr(nn, container)
    first, relu, last = nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 4)
    model = make([first, relu, last]) if container == "ModuleList" else make(first, relu, last)
    tanh = nn.Tanh()
    model[1] = tanh
    assert list(model) == [first, tanh, last] and getattr(model, "1") is tanh
    del model[0]
    assert list(model) == [tanh, last] and getattr(model, "0") is tanh
    assert list(model.state_dict()) == ["1.weight", "1.bias"]
    model.insert(0, first)
    assert list(model) == [first, tanh, last]
    assert model.pop(1) is tanh and list(model) == [first, last]
    assert [name for name, _ in model.named_children()] == ["0", "1"]
    del model[-1:]
    assert list(model) == [first] and not hasattr(model, "1")
    with pytest.raises(IndexError, match="index 3 is out of range for 1 modules"):
        model[3] = relu
    with pytest.raises(TypeError, match="holds Modules, got int"):
        model[0] = 3


# ----- train / eval and dropout ---------------------------------------------------------------


def test_train_and_eval_set_the_flag_everywhere():
    model = nn.Sequential(nn.Linear(2, 2), nn.Sequential(nn.Dropout(0.5)))
    assert all(m.training for m in model.modules())
    assert model.eval() is model
    assert not any(m.training for m in model.modules())
    model.train()
    assert all(m.training for m in model.modules())


def test_dropout_scales_kept_values_and_is_identity_in_eval():
    minitorch.manual_seed(0)
    drop = nn.Dropout(0.25)
    x = Tensor(np.ones((400, 50), dtype=np.float32), requires_grad=True)
    y = drop(x)
    kept = y.data != 0
    assert y.dtype == np.float32
    assert abs(1 - kept.float().mean() - 0.25) < 0.02
    np.testing.assert_allclose(y.data[kept], 1 / 0.75, rtol=1e-6)
    y.sum().backward()
    np.testing.assert_allclose(x.grad, y.data)  # dy/dx is the same scaled mask
    drop.eval()
    assert drop(x) is x


def test_dropout_edge_probabilities_and_errors():
    x = Tensor(np.ones((3, 4)))
    assert F.dropout(x, 0.0) is x
    assert np.all(F.dropout(x, 1.0).data == 0)
    with pytest.raises(ValueError, match=r"dropout probability must be in \[0, 1\], got 1.5"):
        nn.Dropout(1.5)
    with pytest.raises(ValueError, match="got -0.1"):
        F.dropout(x, -0.1)


def test_dropout_is_reproducible_with_manual_seed():
    x = Tensor(np.ones((10, 10)))
    minitorch.manual_seed(3)
    a = F.dropout(x, 0.5).data
    minitorch.manual_seed(3)
    np.testing.assert_array_equal(a, F.dropout(x, 0.5).data)


# ----- state dict -----------------------------------------------------------------------------


class WithBuffer(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(3, 2)
        self.register_buffer("running_mean", np.zeros(2, dtype=np.float32))

    def forward(self, x):
        return self.fc(x) - self.running_mean


def test_state_dict_shares_memory_as_in_pytorch_and_deepcopy_keeps_a_snapshot():
    model = WithBuffer()
    state = model.state_dict()
    assert list(state) == ["running_mean", "fc.weight", "fc.bias"]  # PyTorch's order
    assert all(isinstance(v, Tensor) and not v.requires_grad for v in state.values())
    snapshot = copy.deepcopy(state)  # how PyTorch code keeps the best weights
    before = state["fc.weight"].numpy().copy()
    with minitorch.no_grad():
        model.fc.weight += 1
    model.running_mean[...] = 5
    np.testing.assert_array_equal(state["fc.weight"], before + 1)  # the same memory
    assert np.all(state["running_mean"].numpy() == 5)
    np.testing.assert_array_equal(snapshot["fc.weight"], before)
    assert np.all(snapshot["running_mean"].numpy() == 0)


def test_state_dict_round_trip_into_a_fresh_model():
    source, target = WithBuffer(), WithBuffer()
    source.running_mean = np.array([1.0, 2.0], dtype=np.float32)
    weight_object = target.fc.weight
    result = target.load_state_dict(source.state_dict())
    assert result.missing_keys == [] and result.unexpected_keys == []
    for key, value in source.state_dict().items():
        np.testing.assert_array_equal(target.state_dict()[key], value)
    assert target.fc.weight is weight_object  # optimizers keep pointing at the same Parameter
    source.fc.weight.data[...] = 0
    assert not np.all(target.fc.weight.data == 0)  # loading copied the arrays


def test_load_state_dict_converts_tensors_and_dtypes():
    model = nn.Linear(2, 2)
    state = {"weight": Tensor(np.eye(2)), "bias": np.array([1, 2])}
    model.load_state_dict(state)
    assert model.weight.dtype == np.float32 and model.bias.dtype == np.float32
    np.testing.assert_array_equal(model.bias.data, [1, 2])


def test_load_state_dict_reports_missing_and_unexpected_keys():
    model = WithBuffer()
    state = model.state_dict()
    del state["fc.bias"]
    state["fc.extra"] = np.zeros(1)
    with pytest.raises(ValueError, match=r"missing keys \['fc.bias'\] and unexpected keys"):
        model.load_state_dict(state)
    state.pop("fc.extra")
    with pytest.raises(ValueError, match=r"state_dict does not match WithBuffer: missing keys"):
        model.load_state_dict(state)
    state = model.state_dict()
    state["surprise"] = np.zeros(1)
    with pytest.raises(ValueError, match=r"unexpected keys \['surprise'\]"):
        model.load_state_dict(state)


def test_load_state_dict_non_strict_returns_what_did_not_match():
    model = WithBuffer()
    state = {"fc.weight": np.zeros((2, 3)), "other": np.ones(3)}
    result = model.load_state_dict(state, strict=False)
    assert result.missing_keys == ["running_mean", "fc.bias"]
    assert result.unexpected_keys == ["other"]
    assert np.all(model.fc.weight.data == 0)


def test_load_state_dict_shape_mismatch_names_key_and_shapes_and_changes_nothing():
    model = WithBuffer()
    before = model.state_dict()
    state = model.state_dict()
    state["fc.bias"] = np.ones(2)
    state["fc.weight"] = np.zeros((3, 2))  # (in, out): the transpose of PyTorch's layout
    with pytest.raises(ValueError, match=r"'fc.weight'.* shape \(3, 2\).* shape \(2, 3\)"):
        model.load_state_dict(state)
    with pytest.raises(ValueError, match=r"\(3, 2\)"):
        model.load_state_dict(state, strict=False)
    for key, value in model.state_dict().items():
        np.testing.assert_array_equal(value, before[key])
    with pytest.raises(TypeError, match="expected a dict"):
        model.load_state_dict([("fc.weight", 1)])


def test_state_dict_survives_save_and_load(tmp_path):
    source, target = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2)), None
    minitorch.save({"model": source.state_dict()}, tmp_path / "model.npz")
    target = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    target.load_state_dict(minitorch.load(tmp_path / "model.npz")["model"])
    x = Tensor(np.random.default_rng(0).normal(size=(5, 3)))
    np.testing.assert_array_equal(source(x).data, target(x).data)


def test_buffers_register_and_update_by_assignment():
    model = WithBuffer()
    assert [name for name, _ in model.named_buffers()] == ["running_mean"]
    model.running_mean = Tensor([3.0, 4.0])
    assert isinstance(model.running_mean, Tensor) and not model.running_mean.requires_grad
    np.testing.assert_array_equal(next(model.buffers()), [3.0, 4.0])
    stats = np.zeros(2, dtype=np.float32)
    model.running_mean = stats  # an array is wrapped, sharing its memory, as from_numpy does
    stats += 1
    assert model.running_mean.tolist() == [1.0, 1.0]
    model.running_mean.mul_(2)  # PyTorch code updates buffers with Tensor methods
    assert model.state_dict()["running_mean"].tolist() == [2.0, 2.0]
    model.running_mean = None
    assert list(model.buffers()) == [] and "running_mean" not in model.state_dict()
    with pytest.raises(KeyError, match="attribute 'fc' already exists"):
        model.register_buffer("fc", np.zeros(1))
    with pytest.raises(KeyError, match="buffer name cannot contain"):
        model.register_buffer("a.b", np.zeros(1))
    with pytest.raises(TypeError, match="buffer 'names' must be numeric"):
        model.register_buffer("names", np.array(["x"]))


def test_non_persistent_buffer_is_left_out_of_the_state_dict_but_still_a_buffer():
    model = nn.Linear(2, 2)
    model.register_buffer("cache", np.zeros(2, dtype=np.float32), persistent=False)
    model.register_buffer("kept", np.zeros(2, dtype=np.float32))
    assert list(model.state_dict()) == ["weight", "bias", "kept"]
    assert [name for name, _ in model.named_buffers()] == ["cache", "kept"]
    model.cache = np.ones(2, dtype=np.float32)  # replacing it keeps it non-persistent
    assert model.load_state_dict(model.state_dict()) == ([], [])
    assert model.double().cache.dtype == minitorch.float64
    model.register_buffer("cache", np.zeros(2), persistent=True)
    assert "cache" in model.state_dict()


def test_state_dict_prefix_destination_and_keep_vars():
    model = nn.Sequential(nn.Linear(2, 2))
    assert list(model.state_dict(prefix="net.")) == ["net.0.weight", "net.0.bias"]
    destination = {"other": 1}
    assert model.state_dict(destination=destination) is destination
    assert list(destination) == ["other", "0.weight", "0.bias"]
    kept = model.state_dict(keep_vars=True)["0.weight"]
    detached = model.state_dict()["0.weight"]
    assert kept is model[0].weight and detached is not kept and not detached.requires_grad


# ----- hooks ----------------------------------------------------------------------------------


def test_forward_hook_sees_inputs_and_output_and_can_be_removed():
    layer = nn.Linear(3, 2)
    calls = []
    handle = layer.register_forward_hook(lambda m, inputs, out: calls.append((m, inputs, out)))
    x = Tensor(np.ones((4, 3)))
    out = layer(x)
    assert len(calls) == 1
    module, inputs, seen = calls[0]
    assert module is layer and inputs == (x,) and seen is out
    handle.remove()
    layer(x)
    assert len(calls) == 1
    handle.remove()  # removing twice is harmless
    # always_call (PyTorch's keyword) is accepted
    layer.register_forward_hook(lambda m, inputs, out: calls.append(out), always_call=True)
    layer(x)
    assert len(calls) == 2


def test_forward_hook_can_replace_the_output():
    relu = nn.ReLU()
    relu.register_forward_hook(lambda m, inputs, out: out * 0)
    assert np.all(relu(Tensor([1.0, 2.0])).data == 0)


# ----- repr -----------------------------------------------------------------------------------


def test_repr_lists_layers_and_shapes():
    model = nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Dropout(0.2), nn.Linear(128, 10))
    assert repr(model) == (
        "Sequential(\n"
        "  (0): Linear(in_features=784, out_features=128, bias=True)\n"
        "  (1): ReLU()\n"
        "  (2): Dropout(p=0.2, inplace=False)\n"
        "  (3): Linear(in_features=128, out_features=10, bias=True)\n"
        ")"
    )
    assert "(block): Block(\n    (fc): Linear(in_features=3" in repr(Net())

    class Scale(nn.Module):
        def __init__(self):
            super().__init__()
            self.factor = nn.Parameter(np.ones((2, 3)))

    assert repr(Scale()) == "Scale(factor=(2, 3))"
    assert repr(nn.LeakyReLU(0.2)) == "LeakyReLU(negative_slope=0.2)"
    assert repr(nn.Softmax(dim=1)) == "Softmax(dim=1)"


# ----- init -----------------------------------------------------------------------------------


def test_fans_follow_pytorch_linear_and_conv_layouts():
    assert init.fans((256, 784)) == (784, 256)  # Linear(784, 256).weight is (out, in)
    assert init.fans((16, 3, 5, 5)) == (75, 400)
    with pytest.raises(ValueError, match="at least 2 dimensions, got shape \\(5,\\)"):
        init.fans((5,))


def test_calculate_gain():
    assert init.calculate_gain("relu") == pytest.approx(math.sqrt(2))
    assert init.calculate_gain("tanh") == pytest.approx(5 / 3)
    assert init.calculate_gain("linear") == 1.0
    assert init.calculate_gain("leaky_relu", 0.2) == pytest.approx(math.sqrt(2 / 1.04))
    with pytest.raises(ValueError, match="nonlinearity must be one of"):
        init.calculate_gain("swish")


@pytest.mark.parametrize(
    ("fn", "expected_std"),
    [
        (init.kaiming_uniform_, math.sqrt(2 / 300)),
        (init.kaiming_normal_, math.sqrt(2 / 300)),
        (init.xavier_uniform_, math.sqrt(2 / 700)),
        (init.xavier_normal_, math.sqrt(2 / 700)),
    ],
)
def test_init_statistics(fn, expected_std):
    minitorch.manual_seed(0)
    weight = nn.Parameter(np.empty((400, 300), dtype=np.float32))
    array = weight._data
    assert fn(weight) is weight
    assert weight._data is array and weight.dtype == np.float32  # filled in place
    assert abs(weight.data.mean()) < 0.05 * expected_std
    assert weight.data.std() == pytest.approx(expected_std, rel=0.03)
    assert weight.grad is None and weight.is_leaf


def test_uniform_inits_respect_their_bounds():
    minitorch.manual_seed(0)
    w = Tensor(np.empty((50, 200)))  # (out, in)
    bound = math.sqrt(6 / 200)
    init.kaiming_uniform_(w)
    assert np.abs(w.data).max() <= bound and np.abs(w.data).max() > 0.95 * bound
    init.kaiming_uniform_(w, mode="fan_out")
    assert np.abs(w.data).max() <= math.sqrt(6 / 50)
    init.uniform_(w, -0.5, 2.0)
    assert (
        w.data.min() >= -0.5
        and w.data.max() < 2.0
        and w.data.mean() == pytest.approx(0.75, abs=0.02)
    )


def test_simple_inits():
    minitorch.manual_seed(0)
    w = Tensor(np.empty((300, 100), dtype=np.float32))
    init.normal_(w, mean=2.0, std=0.5)
    assert w.data.mean() == pytest.approx(2.0, abs=0.01) and w.data.std() == pytest.approx(
        0.5, rel=0.02
    )
    assert np.all(init.zeros_(w).data == 0) and np.all(init.ones_(w).data == 1)


def test_init_is_reproducible_and_validates_its_input():
    minitorch.manual_seed(1)
    a = nn.Linear(5, 4).weight.detach().clone()
    minitorch.manual_seed(1)
    np.testing.assert_array_equal(a, nn.Linear(5, 4).weight.data)
    with pytest.raises(TypeError, match="fill a Tensor in place, got ndarray"):
        init.zeros_(np.zeros(3))
    with pytest.raises(ValueError, match="mode must be 'fan_in' or 'fan_out'"):
        init.kaiming_normal_(Tensor(np.zeros((2, 2))), mode="fan_avg")
    with pytest.raises(ValueError, match="a <= b"):
        init.uniform_(Tensor(np.zeros(2)), 1.0, 0.0)
    with pytest.raises(ValueError, match="std >= 0"):
        init.normal_(Tensor(np.zeros(2)), std=-1.0)


# ----- Linear ---------------------------------------------------------------------------------


def test_linear_shapes_and_documented_initialisation():
    minitorch.manual_seed(0)
    layer = nn.Linear(300, 200)
    assert layer.weight.shape == (200, 300) and layer.bias.shape == (200,)  # PyTorch's layout
    assert layer.weight.dtype == np.float32
    bound = 1 / math.sqrt(300)  # PyTorch's: U(-1/sqrt(in), 1/sqrt(in)) for both
    for values in (layer.weight.data, layer.bias.data):
        assert np.abs(values).max() <= bound
        assert values.std() == pytest.approx(bound / math.sqrt(3), rel=0.1)
    assert nn.Linear(3, 2, bias=False).bias is None
    assert len(list(nn.Linear(3, 2, bias=False).parameters())) == 1


@pytest.mark.parametrize("optimizer", ["SGD", "Adam"])
def test_linear_weight_gradient_and_state_keep_one_memory_order(optimizer):
    """The weight is stored column by column (so the forward product runs on BLAS's fastest
    kernel); its gradient, the optimizer's state and a loaded state dict follow that order,
    since element-wise updates across two memory orders are several times slower."""
    minitorch.manual_seed(0)
    model = nn.Sequential(nn.Linear(6, 5), nn.ReLU(), nn.Linear(5, 3))
    opt = getattr(minitorch.optim, optimizer)(model.parameters(), lr=0.1, momentum=0.9) \
        if optimizer == "SGD" else minitorch.optim.Adam(model.parameters())
    x = minitorch.randn(4, 6)
    for _ in range(2):
        opt.zero_grad()
        model(x).sum().backward()
        opt.step()
    weight = model[0].weight
    assert weight.shape == (5, 6) and weight._data.flags.f_contiguous
    assert weight.grad._data.flags.f_contiguous
    assert all(v.flags.f_contiguous for v in opt.state[weight].values()
               if isinstance(v, np.ndarray) and v.ndim == 2)
    state = {k: np.ascontiguousarray(v) for k, v in model.state_dict().items()}
    model.load_state_dict(state)
    assert model[0].weight._data.flags.f_contiguous
    np.testing.assert_array_equal(model[0].weight.detach().numpy(), state["0.weight"])


def test_linear_computes_x_w_transposed_plus_b():
    layer = nn.Linear(3, 2)
    init.normal_(layer.bias)
    x = np.random.default_rng(0).normal(size=(4, 3)).astype(np.float32)
    out = layer(Tensor(x))
    expected = x @ layer.weight.detach().numpy().T + layer.bias.detach().numpy()
    np.testing.assert_allclose(out.data, expected, rtol=1e-6)
    assert out.dtype == np.float32


def test_linear_accepts_leading_dimensions_and_1d_input():
    layer = nn.Linear(3, 2)
    x = np.random.default_rng(0).normal(size=(2, 5, 3)).astype(np.float32)
    out = layer(Tensor(x))
    assert out.shape == (2, 5, 2)
    expected = x @ layer.weight.detach().numpy().T + layer.bias.detach().numpy()
    np.testing.assert_allclose(out.data, expected, rtol=1e-5, atol=1e-6)
    assert layer(Tensor(x[0, 0])).shape == (2,)


def test_linear_converts_input_to_its_dtype():
    layer = nn.Linear(3, 2)
    out = layer(np.ones((4, 3)))  # float64 NumPy data
    assert out.dtype == np.float32
    x = Tensor(np.ones((4, 3)), requires_grad=True)
    layer(x).sum().backward()
    assert x.grad.dtype == np.float64 and layer.weight.grad.dtype == np.float32
    double = nn.Linear(3, 2, dtype=np.float64)
    assert double(np.ones((1, 3), dtype=np.float32)).dtype == np.float64


def test_linear_errors():
    layer = nn.Linear(3, 2)
    with pytest.raises(
        ValueError, match=r"input of shape \(\.\.\., 3\).*got input of shape \(4, 5\)"
    ):
        layer(Tensor(np.ones((4, 5))))
    with pytest.raises(ValueError, match="in_features must be a positive int, got 0"):
        nn.Linear(0, 2)
    with pytest.raises(ValueError, match="out_features must be a positive int, got 2.5"):
        nn.Linear(2, 2.5)


def _random(*shape, seed=0):
    return np.random.default_rng(seed).normal(size=shape)


@pytest.mark.parametrize("x_shape", [(4, 3), (2, 3, 3), (3,)])
def test_fused_linear_gradcheck_with_bias(x_shape):
    assert gradcheck(F.linear, _random(*x_shape), _random(2, 3, seed=1), _random(2, seed=2))


@pytest.mark.parametrize("x_shape", [(4, 3), (2, 2, 3)])
def test_fused_linear_gradcheck_without_bias(x_shape):
    assert gradcheck(lambda x, w: F.linear(x, w), _random(*x_shape), _random(2, 3, seed=1))


def test_fused_linear_is_one_node_and_skips_unneeded_gradients():
    x = Tensor(np.ones((4, 3), dtype=np.float32))
    w = nn.Parameter(np.ones((2, 3), dtype=np.float32))
    b = nn.Parameter(np.zeros(2, dtype=np.float32))
    out = F.linear(x, w, b)
    assert isinstance(out.grad_fn, LinearFunction)
    assert out.grad_fn.parents == (x, w, b)
    out.sum().backward()
    assert x.grad is None
    assert w.grad.dtype == np.float32 and b.grad.dtype == np.float32
    np.testing.assert_array_equal(b.grad, [4, 4])
    np.testing.assert_array_equal(w.grad, np.full((2, 3), 4))


# ----- activations and simple layers ----------------------------------------------------------


def test_activation_layers_match_numpy():
    x = _random(4, 5)
    t = Tensor(x)
    np.testing.assert_allclose(nn.ReLU()(t).data, np.maximum(x, 0))
    np.testing.assert_allclose(nn.LeakyReLU(0.1)(t).data, np.where(x > 0, x, 0.1 * x))
    np.testing.assert_allclose(nn.Sigmoid()(t).data, 1 / (1 + np.exp(-x)))
    np.testing.assert_allclose(nn.Tanh()(t).data, np.tanh(x))
    e = np.exp(x - x.max(axis=0))
    np.testing.assert_allclose(nn.Softmax(dim=0)(t).data, e / e.sum(axis=0))
    np.testing.assert_allclose(nn.LogSoftmax(dim=0)(t).data, np.log(e / e.sum(axis=0)))
    with pytest.warns(UserWarning, match="Implicit dimension choice for softmax"):
        np.testing.assert_allclose(F.softmax(t).data.sum(axis=1), 1.0)  # dim 1 of a 2-d input
    np.testing.assert_allclose(F.log_softmax(t, dim=1).data, F.softmax(t, 1).log().data)
    np.testing.assert_allclose(F.relu(x).data, np.maximum(x, 0))  # arrays are accepted
    np.testing.assert_allclose(F.leaky_relu(t).data, np.where(x > 0, x, 0.01 * x))
    np.testing.assert_allclose(F.sigmoid(t).data, 1 / (1 + np.exp(-x)))
    np.testing.assert_allclose(F.tanh(t).data, np.tanh(x))


def test_flatten_and_identity():
    x = Tensor(np.ones((2, 1, 4, 4)))
    assert nn.Flatten()(x).shape == (2, 16)
    assert nn.Flatten(0, 1)(x).shape == (2, 4, 4)
    assert repr(nn.Flatten()) == "Flatten(start_dim=1, end_dim=-1)"
    assert nn.Identity()(x) is x


def test_layers_backpropagate():
    x = Tensor(_random(3, 4), requires_grad=True)
    model = nn.Sequential(
        nn.Linear(4, 5, dtype=np.float64), nn.Tanh(), nn.Linear(5, 2, dtype=np.float64)
    )
    assert gradcheck(lambda inp: model(inp), x)


# ----- clip_grad_norm_ ------------------------------------------------------------------------


def _with_grads(*grads):
    params = []
    for g in grads:
        p = nn.Parameter(np.zeros_like(np.asarray(g, dtype=np.float32)))
        p.grad = Tensor(np.asarray(g, dtype=np.float32))
        params.append(p)
    return params


def test_clip_grad_norm_scales_to_max_norm():
    params = _with_grads([3.0, 0.0], [4.0])
    total = nn.clip_grad_norm_(params, max_norm=1.0)
    # the norm is a 0-d tensor of the gradients' dtype, as PyTorch's (logged with .item())
    assert isinstance(total, Tensor) and total.shape == () and total.dtype == np.float32
    assert total.item() == pytest.approx(5.0)
    np.testing.assert_allclose(params[0].grad, [0.6, 0.0], rtol=1e-5)
    np.testing.assert_allclose(params[1].grad, [0.8], rtol=1e-5)
    assert params[0].grad.dtype == np.float32


def test_clip_grad_norm_leaves_small_gradients_and_skips_missing_ones():
    params = _with_grads([0.3, 0.4])
    params.append(nn.Parameter([1.0]))  # no grad
    assert nn.clip_grad_norm_(iter(params), max_norm=1.0).item() == pytest.approx(0.5)
    np.testing.assert_allclose(params[0].grad, [0.3, 0.4])
    none = nn.clip_grad_norm_(params[1], 1.0)
    assert none.item() == 0.0 and none.dtype == np.float32


def test_clip_grad_norm_inf_norm_and_errors():
    params = _with_grads([1.0, -3.0], [2.0])
    assert nn.clip_grad_norm_(params, max_norm=1.5, norm_type="inf").item() == pytest.approx(3.0)
    np.testing.assert_allclose(params[0].grad, [0.5, -1.5], rtol=1e-5)
    with pytest.raises(ValueError, match="norm_type must be positive"):
        nn.clip_grad_norm_(_with_grads([1.0]), 1.0, norm_type=0)
    with pytest.raises(ValueError, match="max_norm must be >= 0"):
        nn.clip_grad_norm_(_with_grads([1.0]), -1.0)


def test_clip_grad_norm_of_a_nonfinite_norm_scales_by_it_as_pytorch():
    # PyTorch's default goes on: a NaN norm makes every gradient NaN, an infinite one
    # zeroes the finite entries (a GradScaler then skips the step)
    params = _with_grads([np.nan, 1.0], [2.0])
    assert math.isnan(nn.clip_grad_norm_(params, 1.0).item())
    assert np.isnan(params[0].grad.numpy()).all() and np.isnan(params[1].grad.numpy()).all()
    params = _with_grads([np.inf, 1.0])
    assert nn.clip_grad_norm_(params, 1.0).item() == math.inf
    np.testing.assert_array_equal(params[0].grad.numpy(), [np.nan, 0.0])
    with pytest.raises(RuntimeError, match="total norm of order 2.0 .* is non-finite"):
        nn.clip_grad_norm_(_with_grads([np.nan]), 1.0, error_if_nonfinite=True)


# ----- PyTorch's Module methods and containers ------------------------------------------------


def test_to_double_float_and_half_convert_in_place():
    model = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4))
    weight = model[0].weight
    model(Tensor(np.ones((2, 3)))).sum().backward()
    assert model.double() is model and model[0].weight is weight  # the same Parameter
    assert weight.dtype == np.float64 and weight.grad.dtype == np.float64
    assert model[1].running_mean.dtype == np.float64
    assert model[1].num_batches_tracked.dtype == np.int64  # integer buffers keep their dtype
    assert model(np.ones((2, 3), np.float32)).dtype == np.float64
    assert model.to(minitorch.float32).to("cpu") is model and weight.dtype == np.float32
    assert model.to(minitorch.device("cpu"), dtype=minitorch.float16) is model
    assert weight.dtype == np.float16 and model.float().cpu() is model
    assert model.to(Tensor([1.0], dtype=np.float64))[0].bias.dtype == np.float64
    with pytest.raises(RuntimeError, match="minitorch runs on the CPU only"):
        model.to("cuda")
    with pytest.raises(TypeError, match="only accepts floating point dtypes, got int64"):
        model.to(minitorch.int64)


def test_requires_grad_freezes_and_unfreezes_every_parameter():
    model = nn.Sequential(nn.Linear(3, 4), nn.Linear(4, 1))
    assert model[0].requires_grad_(False) is model[0]
    model(Tensor(np.ones((2, 3)))).sum().backward()
    assert model[0].weight.grad is None and model[1].weight.grad is not None
    model.requires_grad_()
    assert all(p.requires_grad for p in model.parameters())


def test_named_modules_with_prefix_memo_and_duplicates():
    shared = nn.ReLU()
    model = nn.Sequential(shared, nn.Sequential(shared))
    assert [n for n, _ in model.named_modules()] == ["", "0", "1"]
    assert [n for n, _ in model.named_modules(remove_duplicate=False)] == ["", "0", "1", "1.0"]
    assert [n for n, _ in model.named_modules(prefix="net")] == ["net", "net.0", "net.1"]
    memo = {shared}
    assert [n for n, _ in model.named_modules(memo)] == ["", "1"] and model in memo


def test_module_dict_registers_by_name():
    heads = nn.ModuleDict({"cls": nn.Linear(4, 3), "box": nn.Linear(4, 2)})
    heads["extra"] = nn.ReLU()
    assert list(heads) == ["cls", "box", "extra"] and "box" in heads and len(heads) == 3
    assert list(heads.state_dict()) == ["cls.weight", "cls.bias", "box.weight", "box.bias"]
    assert heads.pop("extra").__class__ is nn.ReLU and heads.keys() == ["cls", "box"]
    del heads["box"]
    assert [name for name, _ in heads.items()] == ["cls"] and len(list(heads.parameters())) == 2
    heads.update([("a", nn.Tanh())])
    assert isinstance(heads.values()[-1], nn.Tanh)
    with pytest.raises(TypeError, match="ModuleDict holds Modules, got int"):
        heads["bad"] = 3
    heads.clear()
    assert len(heads) == 0


def test_parameter_list_registers_and_converts_tensors():
    params = nn.ParameterList([Tensor([1.0, 2.0]), nn.Parameter(np.zeros(3, np.float32))])
    assert isinstance(params[0], nn.Parameter) and params[0].requires_grad
    assert list(params.state_dict()) == ["0", "1"] and len(params) == 2
    params.append(Tensor([5.0]))
    params[0] = Tensor([7.0, 8.0])
    assert params[0].tolist() == [7.0, 8.0] and len(list(params)) == 3
    assert isinstance(params[1:], nn.ParameterList) and len(params[1:]) == 2
    assert repr(params).startswith("ParameterList(\n  (0): Parameter containing")
    with pytest.raises(TypeError, match="Parameters or Tensors, got list"):
        params.append([1.0])


def test_identity_ignores_its_arguments():
    x = Tensor([1.0])
    assert nn.Identity(54, unused=0.1)(x) is x


def test_batch_norm_counts_batches_and_can_average_cumulatively():
    layer = nn.BatchNorm1d(2, momentum=None)
    batches = [np.random.default_rng(i).normal(size=(5, 2)) for i in range(3)]
    for batch in batches:
        layer(Tensor(batch, dtype=np.float32))
    assert layer.num_batches_tracked == 3
    expected = np.mean([b.mean(axis=0) for b in batches], axis=0)  # the cumulative average
    np.testing.assert_allclose(layer.running_mean, expected, rtol=1e-5)
    stateless = nn.BatchNorm2d(2, track_running_stats=False).eval()
    assert list(stateless.state_dict()) == ["weight", "bias"]
    out = stateless(Tensor(np.random.default_rng(0).normal(size=(3, 2, 2, 2)), dtype=np.float32))
    np.testing.assert_allclose(out.detach().numpy().mean(axis=(0, 2, 3)), 0, atol=1e-5)


def test_tensor_functions_used_by_pytorch_scripts():
    x = minitorch.tensor([[1, 2], [3, 4]])
    assert minitorch.flatten(x).tolist() == [1, 2, 3, 4]
    assert minitorch.flatten(minitorch.zeros(2, 3, 4), 1).shape == (2, 12)
    pred = x.argmax(dim=1, keepdim=True)
    assert pred.eq(minitorch.tensor([1, 1]).view_as(pred)).sum().item() == 2
    assert x.ne(1).tolist() == [[False, True], [True, True]]
    generator = minitorch.Generator().manual_seed(3)
    assert generator.initial_seed() == 3
    a = minitorch.zeros(4).normal_(generator=generator)
    b = minitorch.zeros(4).normal_(generator=minitorch.Generator().manual_seed(3))
    assert a.tolist() == b.tolist()
    assert F.one_hot(minitorch.tensor([[0, 2]]), 3).tolist() == [[[1, 0, 0], [0, 0, 1]]]
    assert F.one_hot(minitorch.tensor([1, 0])).dtype == np.int64
    with pytest.raises(ValueError, match="integer labels, got dtype float32"):
        F.one_hot(minitorch.tensor([1.0]))


# ----- PyTorch's factory arguments and the softmax family's dtype -----------------------------


@pytest.mark.parametrize(
    "make",
    [lambda **kw: nn.Linear(3, 2, **kw), lambda **kw: nn.Conv2d(1, 2, 3, **kw),
     lambda **kw: nn.BatchNorm2d(2, **kw), lambda **kw: nn.LayerNorm(4, **kw),
     lambda **kw: nn.Embedding(5, 2, **kw), lambda **kw: nn.PReLU(**kw),
     lambda **kw: nn.MultiheadAttention(4, 2, **kw)],
    ids=["Linear", "Conv2d", "BatchNorm2d", "LayerNorm", "Embedding", "PReLU", "MHA"],
)
def test_layers_take_device_and_dtype(make):
    assert {p.dtype for p in make().parameters()} == {np.dtype(np.float32)}
    layer = make(device="cpu", dtype=minitorch.float64)
    assert {p.dtype for p in layer.parameters()} == {np.dtype(np.float64)}
    make(device=minitorch.device("cpu"))
    with pytest.raises(RuntimeError, match="CPU only"):
        make(device="cuda")


def test_batch_norm_without_bias_keeps_weight_only():
    layer = nn.BatchNorm2d(3, bias=False)
    assert layer.bias is None and layer.weight is not None
    assert list(layer.state_dict()) == [
        "weight", "running_mean", "running_var", "num_batches_tracked"]
    out = layer(Tensor(np.random.default_rng(0).standard_normal((2, 3, 4, 4)).astype(np.float32)))
    np.testing.assert_allclose(out.detach().numpy().mean(axis=(0, 2, 3)), 0.0, atol=1e-5)


def test_softmax_family_converts_to_dtype_first():
    x = Tensor(np.array([[1.0, 2.0, 3.0]], np.float32))
    for function in (F.softmax, F.log_softmax, F.softmin):
        out = function(x, dim=1, dtype=minitorch.float64)
        assert out.dtype == np.float64
        np.testing.assert_allclose(out.numpy(), function(x, dim=1).numpy(), rtol=1e-6)


def test_softmax_without_dim_takes_pytorch_implicit_choice():
    x = Tensor(np.random.default_rng(0).standard_normal((2, 3, 4)).astype(np.float32))
    with pytest.warns(UserWarning, match="Implicit dimension choice"):
        out = nn.Softmax()(x)  # dimension 0 of a 3-d input, as in PyTorch
    np.testing.assert_allclose(out.numpy().sum(axis=0), 1.0, rtol=1e-6)


# ----- more hooks, dotted-path lookups ----------------------------------------------------------


def test_forward_pre_hook_and_kwargs_hooks_run_in_pytorch_order():
    order = []
    layer = nn.Linear(2, 2)
    layer.register_forward_hook(lambda m, args, out: order.append("forward"))
    layer.register_forward_pre_hook(lambda m, args: order.append("pre"))
    layer.register_forward_pre_hook(lambda m, args: order.append("first"), prepend=True)
    layer.register_forward_hook(lambda m, args, kwargs, out: order.append(("kw", kwargs)),
                                with_kwargs=True)
    layer(Tensor(np.ones((1, 2), np.float32)))
    assert order == ["first", "pre", "forward", ("kw", {})]


def test_forward_pre_hook_can_replace_the_input():
    layer = nn.Identity()
    layer.register_forward_pre_hook(lambda m, args: args[0] * 3)
    assert layer(Tensor([1.0, 2.0])).tolist() == [3.0, 6.0]


def test_full_backward_hooks_see_and_replace_gradients():
    seen = []
    relu = nn.ReLU()
    relu.register_full_backward_pre_hook(lambda m, grad_output: (grad_output[0] * 2,))
    relu.register_full_backward_hook(
        lambda m, grad_input, grad_output: seen.append((grad_input[0].tolist(),
                                                        grad_output[0].tolist())))
    x = Tensor([1.0, -1.0, 2.0], requires_grad=True)
    relu(x).sum().backward()
    assert seen == [([2.0, 0.0, 2.0], [2.0, 2.0, 2.0])]
    assert x.grad.tolist() == [2.0, 0.0, 2.0]

    handle = relu.register_full_backward_hook(lambda m, gi, go: (gi[0] * 0,))
    x.grad = None
    relu(x).sum().backward()
    assert x.grad.tolist() == [0.0, 0.0, 0.0]
    handle.remove()


def test_full_backward_hook_without_inputs_needing_grad_gets_none():
    seen = []
    layer = nn.Linear(2, 1)
    layer.register_full_backward_hook(lambda m, gi, go: seen.append((gi, go[0].shape)))
    layer(Tensor(np.ones((3, 2), np.float32))).sum().backward()
    assert seen == [((None,), (3, 1))]
    assert layer.weight.grad is not None


def test_backward_hooks_match_torch():
    torch = pytest.importorskip("torch")

    def run(library, module):
        grads = []
        module.register_full_backward_hook(
            lambda m, gi, go: grads.append([g.detach().numpy().copy() for g in gi + go]))
        x = library.tensor(np.array([[0.5, -1.0, 2.0]]), requires_grad=True)
        (module(x) * library.tensor(np.array([[1.0, 2.0, 3.0]]))).sum().backward()
        return grads

    for ours, theirs in ((nn.Tanh(), torch.nn.Tanh()), (nn.Softmax(1), torch.nn.Softmax(1))):
        for a, b in zip(run(minitorch, ours)[0], run(torch, theirs)[0], strict=True):
            np.testing.assert_allclose(a, b, rtol=1e-12)


def test_get_submodule_parameter_and_buffer_by_dotted_path():
    model = nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3))
    assert model.get_submodule("1") is model[1]
    assert model.get_submodule("") is model
    assert model.get_parameter("0.weight") is model[0].weight
    assert model.get_buffer("1.running_mean") is model[1].running_mean
    with pytest.raises(AttributeError, match="no submodule `2`"):
        model.get_submodule("2.weight")
    with pytest.raises(AttributeError, match="no parameter `scale`"):
        model.get_parameter("0.scale")


def test_register_parameter_and_module():
    holder = nn.Module()
    holder.register_parameter("scale", nn.Parameter(np.ones(2, np.float32)))
    holder.register_module("inner", nn.Linear(2, 2))
    holder.register_parameter("unused", None)
    assert [name for name, _ in holder.named_parameters()] == [
        "scale", "inner.weight", "inner.bias"]
    with pytest.raises(TypeError, match="expected a Parameter or None"):
        holder.register_parameter("bad", Tensor([1.0]))
    assert holder.compile() is None  # no compiler: nothing changes


def test_hardtanh_takes_pytorchs_deprecated_spellings():
    with pytest.warns(FutureWarning, match="`min_value` is deprecated"):
        layer = nn.Hardtanh(min_value=-2.0)
    assert (layer.min_val, layer.max_val) == (-2.0, 1.0)


def test_named_parameters_and_buffers_take_prefix_and_remove_duplicate():
    shared = nn.Linear(2, 2)
    model = nn.Sequential(shared, nn.BatchNorm1d(2), shared)
    assert [n for n, _ in model.named_parameters(prefix="net")] == [
        "net.0.weight", "net.0.bias", "net.1.weight", "net.1.bias"]
    assert [n for n, _ in model.named_parameters(remove_duplicate=False)] == [
        "0.weight", "0.bias", "1.weight", "1.bias", "2.weight", "2.bias"]
    assert [n for n, _ in model.named_buffers("m", recurse=True)][0] == "m.1.running_mean"
