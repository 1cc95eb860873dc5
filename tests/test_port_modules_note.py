"""PyTorch's "Modules" note (pytorch/pytorch, docs/source/notes/modules.md) and the saving and
loading texts of pytorch/tutorials (beginner_source/saving_loading_models.py and the recipes
what_is_state_dict, saving_and_loading_models_for_inference,
saving_and_loading_a_general_checkpoint, saving_multiple_models_in_one_file,
warmstarting_model_using_parameters_from_a_different_model and module_load_state_dict_tips)
on minitorch: their code samples, written for PyTorch, with only the import lines changed.
(Both are BSD-3-Clause licensed, copyright the PyTorch contributors.)

Each sample is a function that prints what the text prints and returns what the tests look at.
The text between here and "the tests" also runs on PyTorch, its imports swapped; where PyTorch
is installed, both libraries run each sample from the same random draws (:func:`same_draws`),
and what they print must agree: state_dict keys and shapes, the optimizer's state_dict,
missing and unexpected keys, parameter counts and, from the same weights, the values.

Changed beyond the imports, each marked "port:" where it happens:

- ``dynamic_net(torch.randn(5, device='cuda', dtype=torch.float64))`` in the note leaves out
  ``act`` and gives 5 features to a 4-feature network, so it fails on PyTorch too: it is run as
  ``dynamic_net(torch.randn(4, dtype=torch.float64), 'relu')``;
- the note's 10,000 training steps are the default of ``steps`` (the comparison with PyTorch
  runs 1,000);
- the note's fragment ``self.register_buffer('unserialized_thing', torch.randn(5),
  persistent=False)`` sits in a module of its own, ``WithUnserializedThing``;
- the tutorial's ``TheModelClass(*args, **kwargs)`` and ``PATH`` are made concrete, and what
  the texts show as a REPL's echo (``m(sample_input)``, ``new_net.load_state_dict(...)``) is
  printed.

Added, each marked "not the text's:": values kept for the tests (``before``, the hooks'
``outputs``), a few steps of training before the general checkpoint so that the optimizer has
state to save, and a second warm start into ``NetWithNewHead``, whose keys do not all match.

Skipped, as minitorch computes on the CPU only or has no such machinery:

- every device but the CPU: ``dynamic_net.to(device='cuda')``, the ``device='cuda'`` half of
  ``m.to(device='cuda', dtype=torch.float64)`` (the dtype half runs),
  ``nn.Linear(5, 3, device='cuda')``, the tutorial's "Saving & Loading Model Across Devices"
  (GPU to CPU, CPU to GPU, ``map_location="cuda:0"``) and ``torch.nn.DataParallel``, and
  ``with torch.device('meta'):`` of module_load_state_dict_tips, run here with the CPU, the one
  device minitorch has (its ``assign=True`` loading runs as written);
- the note's "Advanced Features": distributed training (DDP, FSDP), the profiler,
  quantization, pruning, parametrizations (``torch.nn.utils.parametrize``) and FX
  (``torch.fx``), which the note only links to;
- the tutorial's "Saving an Exported Program" (``torch.export.save``/``load``);
- saving a whole model, ``torch.save(model, PATH)``: PyTorch pickles the module; minitorch
  never pickles, and refuses with a message that says to save ``model.state_dict()`` instead
  (see :func:`test_saving_a_whole_model_is_refused_with_what_to_do_instead`).
"""

import contextlib
import functools
import math
import re
from pathlib import Path

import numpy as np
import pytest

# ----- the samples: the text between here and "the tests" also runs on PyTorch

import minitorch as torch
from minitorch import nn
import minitorch.nn.functional as F
import minitorch.optim as optim


# ===== The Modules note: "A Simple Custom Module" ===========================================

class MyLinear(nn.Module):
  def __init__(self, in_features, out_features):
    super().__init__()
    self.weight = nn.Parameter(torch.randn(in_features, out_features))
    self.bias = nn.Parameter(torch.randn(out_features))

  def forward(self, input):
    return (input @ self.weight) + self.bias


def simple_custom_module():
    m = MyLinear(4, 3)
    sample_input = torch.randn(4)
    print(m(sample_input))

    for parameter in m.named_parameters():
      print(parameter)
    return {"module": m, "input": sample_input, "output": m(sample_input)}


# ===== "Modules as Building Blocks" =========================================================

class Net(nn.Module):
  def __init__(self):
    super().__init__()
    self.l0 = MyLinear(4, 3)
    self.l1 = MyLinear(3, 1)
  def forward(self, x):
    x = self.l0(x)
    x = F.relu(x)
    x = self.l1(x)
    return x


class BigNet(nn.Module):
  def __init__(self):
    super().__init__()
    self.l1 = MyLinear(5, 4)
    self.net = Net()
  def forward(self, x):
    return self.net(self.l1(x))


class DynamicNet(nn.Module):
  def __init__(self, num_layers):
    super().__init__()
    self.linears = nn.ModuleList(
      [MyLinear(4, 4) for _ in range(num_layers)])
    self.activations = nn.ModuleDict({
      'relu': nn.ReLU(),
      'lrelu': nn.LeakyReLU()
    })
    self.final = MyLinear(4, 1)
  def forward(self, x, act):
    for linear in self.linears:
      x = linear(x)
      x = self.activations[act](x)
    x = self.final(x)
    return x


# Define a function to initialize Linear weights.
# Note that no_grad() is used here to avoid tracking this computation in the autograd graph.
@torch.no_grad()
def init_weights(m):
  if isinstance(m, nn.Linear):
    nn.init.xavier_normal_(m.weight)
    m.bias.fill_(0.0)


def building_blocks():
    net = nn.Sequential(
      MyLinear(4, 3),
      nn.ReLU(),
      MyLinear(3, 1)
    )

    sample_input = torch.randn(4)
    sequential_output = net(sample_input)
    print(sequential_output)

    net = Net()
    for child in net.named_children():
      print(child)

    big_net = BigNet()
    for module in big_net.named_modules():
      print(module)

    dynamic_net = DynamicNet(3)
    sample_input = torch.randn(4)
    output = dynamic_net(sample_input, 'relu')

    for parameter in dynamic_net.named_parameters():
      print(parameter)

    # Change precision of all parameters
    dynamic_net.to(dtype=torch.float64)

    # port: the note's call leaves out act, and its input has 5 features (and is on 'cuda')
    output64 = dynamic_net(torch.randn(4, dtype=torch.float64), 'relu')
    print(output64)

    # Apply the function recursively on the module and its submodules.
    dynamic_net.apply(init_weights)
    return {"sequential_output": sequential_output, "net": net, "big_net": big_net,
            "dynamic_net": dynamic_net, "output": output, "output64": output64}


# ===== "Neural Network Training with Modules" ===============================================

class ModalModule(nn.Module):
  def __init__(self):
    super().__init__()

  def forward(self, x):
    if self.training:
      # Add a constant only in training mode.
      return x + 1.
    else:
      return x


def training(steps=10000):
    # Create the network (from previous section) and optimizer
    net = Net()
    optimizer = torch.optim.SGD(net.parameters(), lr=1e-4, weight_decay=1e-2, momentum=0.9)

    before = net.l1.weight.detach().clone()  # not the text's
    # Run a sample training loop that "teaches" the network
    # to output the constant zero function
    for _ in range(steps):  # port: the note's range(10000)
      input = torch.randn(4)
      output = net(input)
      loss = torch.abs(output)
      net.zero_grad()
      loss.backward()
      optimizer.step()

    # After training, switch the module to eval mode to do inference, compute performance metrics, etc.
    # (see discussion below for a description of training and evaluation modes)
    net.eval()

    print(net.l1.weight)

    m = ModalModule()
    x = torch.randn(4)

    training_output = m(x)
    print('training mode output: {}'.format(m(x)))

    m.eval()
    evaluation_output = m(x)
    print('evaluation mode output: {}'.format(m(x)))
    return {"net": net, "before": before, "optimizer": optimizer, "x": x,
            "training_output": training_output, "evaluation_output": evaluation_output}


# ===== "Module State" =======================================================================

class RunningMean(nn.Module):
  def __init__(self, num_features, momentum=0.9):
    super().__init__()
    self.momentum = momentum
    self.register_buffer('mean', torch.zeros(num_features))
  def forward(self, x):
    self.mean = self.momentum * self.mean + (1.0 - self.momentum) * x
    return self.mean


class StatefulModule(nn.Module):
  def __init__(self):
    super().__init__()
    # Setting a nn.Parameter as an attribute of the module automatically registers the tensor
    # as a parameter of the module.
    self.param1 = nn.Parameter(torch.randn(2))

    # Alternative string-based way to register a parameter.
    self.register_parameter('param2', nn.Parameter(torch.randn(3)))

    # Reserves the "param3" attribute as a parameter, preventing it from being set to anything
    # except a parameter. "None" entries like this will not be present in the module's state_dict.
    self.register_parameter('param3', None)

    # Registers a list of parameters.
    self.param_list = nn.ParameterList([nn.Parameter(torch.randn(2)) for i in range(3)])

    # Registers a dictionary of parameters.
    self.param_dict = nn.ParameterDict({
      'foo': nn.Parameter(torch.randn(3)),
      'bar': nn.Parameter(torch.randn(4))
    })

    # Registers a persistent buffer (one that appears in the module's state_dict).
    self.register_buffer('buffer1', torch.randn(4), persistent=True)

    # Registers a non-persistent buffer (one that does not appear in the module's state_dict).
    self.register_buffer('buffer2', torch.randn(5), persistent=False)

    # Reserves the "buffer3" attribute as a buffer, preventing it from being set to anything
    # except a buffer. "None" entries like this will not be present in the module's state_dict.
    self.register_buffer('buffer3', None)

    # Adding a submodule registers its parameters as parameters of the module.
    self.linear = nn.Linear(2, 3)


class WithUnserializedThing(RunningMean):
  def __init__(self, num_features):
    super().__init__(num_features)
    self.register_buffer('unserialized_thing', torch.randn(5), persistent=False)


def module_state(net):
    # Save the module
    torch.save(net.state_dict(), 'net.pt')

    # Load the module later on
    new_net = Net()
    net_loaded = new_net.load_state_dict(torch.load('net.pt'))
    print(net_loaded)

    m = RunningMean(4)
    for _ in range(10):
      input = torch.randn(4)
      m(input)

    print(m.state_dict())

    # Serialized form will contain the 'mean' tensor
    torch.save(m.state_dict(), 'mean.pt')

    m_loaded = RunningMean(4)
    m_loaded.load_state_dict(torch.load('mean.pt'))
    assert(torch.all(m.mean == m_loaded.mean))

    with_thing = WithUnserializedThing(4)
    # Moves all module parameters and buffers to the specified device / dtype
    with_thing.to(dtype=torch.float64)  # port: m.to(device='cuda', dtype=torch.float64)

    for buffer in with_thing.named_buffers():
      print(buffer)

    m = StatefulModule()

    # Save and load state_dict.
    torch.save(m.state_dict(), 'state.pt')
    m_loaded = StatefulModule()
    stateful_loaded = m_loaded.load_state_dict(torch.load('state.pt'))

    # Note that non-persistent buffer "buffer2" and reserved attributes "param3" and "buffer3" do
    # not appear in the state_dict.
    print(m_loaded.state_dict())
    return {"new_net": new_net, "net_loaded": net_loaded, "running_mean": m_loaded,
            "with_thing": with_thing, "stateful": m, "stateful_loaded": m_loaded,
            "stateful_result": stateful_loaded}


# ===== "Module Initialization" ==============================================================

def module_initialization():
    # Initialize module with 16-bit floating point parameters.
    half = nn.Linear(5, 3, dtype=torch.half)

    # Skip default parameter initialization and perform custom (e.g. orthogonal) initialization.
    m = torch.nn.utils.skip_init(nn.Linear, 5, 3)
    nn.init.orthogonal_(m.weight)

    batch_norm = nn.BatchNorm2d(3, dtype=torch.half)
    print(batch_norm.running_mean)
    return {"half": half, "orthogonal": m, "batch_norm": batch_norm}


# ===== "Module Hooks" =======================================================================

def module_hooks():
    torch.manual_seed(1)

    def forward_pre_hook(m, inputs):
      # Allows for examination and modification of the input before the forward pass.
      # Note that inputs are always wrapped in a tuple.
      input = inputs[0]
      return input + 1.

    def forward_hook(m, inputs, output):
      # Allows for examination of inputs / outputs and modification of the outputs
      # after the forward pass. Note that inputs are always wrapped in a tuple while outputs
      # are passed as-is.

      # Residual computation a la ResNet.
      return output + inputs[0]

    def backward_hook(m, grad_inputs, grad_outputs):
      # Allows for examination of grad_inputs / grad_outputs and modification of
      # grad_inputs used in the rest of the backwards pass. Note that grad_inputs and
      # grad_outputs are always wrapped in tuples.
      new_grad_inputs = [torch.ones_like(gi) * 42. for gi in grad_inputs]
      return new_grad_inputs

    # Create sample module & input.
    m = nn.Linear(3, 3)
    x = torch.randn(2, 3, requires_grad=True)
    outputs = {}  # not the text's, nor the outputs[...] = lines below

    # ==== Demonstrate forward hooks. ====
    # Run input through module before and after adding hooks.
    outputs["none"] = m(x)
    print('output with no forward hooks: {}'.format(m(x)))

    # Note that the modified input results in a different output.
    forward_pre_hook_handle = m.register_forward_pre_hook(forward_pre_hook)
    outputs["pre"] = m(x)
    print('output with forward pre hook: {}'.format(m(x)))

    # Note the modified output.
    forward_hook_handle = m.register_forward_hook(forward_hook)
    outputs["both"] = m(x)
    print('output with both forward hooks: {}'.format(m(x)))

    # Remove hooks; note that the output here matches the output before adding hooks.
    forward_pre_hook_handle.remove()
    forward_hook_handle.remove()
    outputs["removed"] = m(x)
    print('output after removing forward hooks: {}'.format(m(x)))

    # ==== Demonstrate backward hooks. ====
    m(x).sum().backward()
    outputs["grad"] = x.grad.clone()
    print('x.grad with no backwards hook: {}'.format(x.grad))

    # Clear gradients before running backward pass again.
    m.zero_grad()
    x.grad.zero_()

    m.register_full_backward_hook(backward_hook)
    m(x).sum().backward()
    outputs["hooked_grad"] = x.grad.clone()
    print('x.grad with backwards hook: {}'.format(x.grad))
    return {"module": m, "x": x, **outputs}


# ===== the Saving and Loading tutorial and its recipes ======================================

# Define model
class TheModelClass(nn.Module):
    def __init__(self):
        super(TheModelClass, self).__init__()
        self.conv1 = nn.Conv2d(3, 6, 5)
        self.pool = nn.MaxPool2d(2, 2)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        x = self.pool(F.relu(self.conv1(x)))
        x = self.pool(F.relu(self.conv2(x)))
        x = x.view(-1, 16 * 5 * 5)
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        x = self.fc3(x)
        return x


class RecipeNet(nn.Module):  # the recipes' Net (x.flatten(start_dim=1)); NetA and NetB too
    def __init__(self):
        super(RecipeNet, self).__init__()
        self.conv1 = nn.Conv2d(3, 6, 5)
        self.pool = nn.MaxPool2d(2, 2)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        x = self.pool(F.relu(self.conv1(x)))
        x = self.pool(F.relu(self.conv2(x)))
        x = x.flatten(start_dim=1)
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        x = self.fc3(x)
        return x


def what_is_a_state_dict():
    # Initialize model
    model = TheModelClass()

    # Initialize optimizer
    optimizer = optim.SGD(model.parameters(), lr=0.001, momentum=0.9)

    # Print model's state_dict
    print("Model's state_dict:")
    for param_tensor in model.state_dict():
        print(param_tensor, "\t", model.state_dict()[param_tensor].size())

    print()

    # Print optimizer's state_dict
    print("Optimizer's state_dict:")
    for var_name in optimizer.state_dict():
        print(var_name, "\t", optimizer.state_dict()[var_name])
    return {"model": model, "optimizer": optimizer}


def save_load_for_inference(model, PATH="state_dict_model.pt"):
    # Save
    torch.save(model.state_dict(), PATH)

    # Load
    model = TheModelClass()
    result = model.load_state_dict(torch.load(PATH, weights_only=True))
    model.eval()
    print(result)
    return model


def save_load_entire_model(model, PATH="entire_model.pt"):
    # Save
    torch.save(model, PATH)

    # Load
    # Model class must be defined somewhere
    model = torch.load(PATH, weights_only=False)
    model.eval()
    return model


def a_few_steps(model, optimizer, images, labels, steps=2):
    """Not the tutorial's: a few steps of training, so that the optimizer has state."""
    for _ in range(steps):
        optimizer.zero_grad()
        loss = F.cross_entropy(model(images), labels)
        loss.backward()
        optimizer.step()
    return loss


def general_checkpoint(images, labels, PATH="model.pt"):
    net = RecipeNet()
    optimizer = optim.SGD(net.parameters(), lr=0.001, momentum=0.9)
    a_few_steps(net, optimizer, images, labels)  # not the text's

    # Additional information
    EPOCH = 5
    LOSS = 0.4

    torch.save({
                'epoch': EPOCH,
                'model_state_dict': net.state_dict(),
                'optimizer_state_dict': optimizer.state_dict(),
                'loss': LOSS,
                }, PATH)

    model = RecipeNet()
    # port: the recipe makes this one over net.parameters(), the saved model's, and names it
    # optimizer, as the first
    optimizer2 = optim.SGD(model.parameters(), lr=0.001, momentum=0.9)

    checkpoint = torch.load(PATH, weights_only=True)
    print(model.load_state_dict(checkpoint['model_state_dict']))
    optimizer2.load_state_dict(checkpoint['optimizer_state_dict'])
    epoch = checkpoint['epoch']
    loss = checkpoint['loss']

    model.eval()
    # - or -
    model.train()
    return {"net": net, "optimizer": optimizer, "model": model, "resumed_optimizer": optimizer2,
            "checkpoint": checkpoint, "epoch": epoch, "loss": loss}


def multiple_models(PATH="model.pt"):
    netA = RecipeNet()
    netB = RecipeNet()
    optimizerA = optim.SGD(netA.parameters(), lr=0.001, momentum=0.9)
    optimizerB = optim.SGD(netB.parameters(), lr=0.001, momentum=0.9)

    torch.save({
                'modelA_state_dict': netA.state_dict(),
                'modelB_state_dict': netB.state_dict(),
                'optimizerA_state_dict': optimizerA.state_dict(),
                'optimizerB_state_dict': optimizerB.state_dict(),
                }, PATH)

    modelA = RecipeNet()
    modelB = RecipeNet()
    optimModelA = optim.SGD(modelA.parameters(), lr=0.001, momentum=0.9)
    optimModelB = optim.SGD(modelB.parameters(), lr=0.001, momentum=0.9)

    checkpoint = torch.load(PATH, weights_only=True)
    modelA.load_state_dict(checkpoint['modelA_state_dict'])
    modelB.load_state_dict(checkpoint['modelB_state_dict'])
    optimizerA.load_state_dict(checkpoint['optimizerA_state_dict'])
    optimizerB.load_state_dict(checkpoint['optimizerB_state_dict'])

    modelA.eval()
    modelB.eval()
    # - or -
    modelA.train()
    modelB.train()
    return {"netA": netA, "netB": netB, "modelA": modelA, "modelB": modelB,
            "checkpoint": checkpoint}


class NetWithNewHead(nn.Module):
    """Not the recipe's: NetB with a new head, so that some keys do not match."""
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 6, 5)
        self.pool = nn.MaxPool2d(2, 2)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.head = nn.Linear(84, 2)

    def forward(self, x):
        x = self.pool(F.relu(self.conv1(x)))
        x = self.pool(F.relu(self.conv2(x)))
        x = x.flatten(start_dim=1)
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return self.head(x)


def warmstarting(PATH="model.pt"):
    netA = RecipeNet()
    netB = RecipeNet()

    torch.save(netA.state_dict(), PATH)

    same_keys = netB.load_state_dict(torch.load(PATH), strict=False)
    print(same_keys)

    netC = NetWithNewHead()  # not the text's, nor the two lines after it
    new_head = netC.load_state_dict(torch.load(PATH, weights_only=True), strict=False)
    print(new_head)
    return {"netA": netA, "netB": netB, "netC": netC, "same_keys": same_keys,
            "new_head": new_head}


class SomeModule(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.linears = nn.ModuleList([nn.Linear(1, 1) for i in range(10)])

    def forward(self, x):
        return self.linears(x)


def load_with_assign():
    m = SomeModule()
    torch.save(m.state_dict(), 'checkpoint.pth')
    state_dict = torch.load('checkpoint.pth', mmap=True)
    with torch.device('cpu'):  # port: torch.device('meta'), a device minitorch has not
      meta_m = SomeModule()
    result = meta_m.load_state_dict(state_dict, assign=True)
    print(result)
    return {"module": m, "state_dict": state_dict, "assigned": meta_m, "result": result}


# ----- the tests -------------------------------------------------------------------------------

TORCH_IMPORTS = {
    "import minitorch as torch": "import torch",
    "from minitorch import nn": "from torch import nn",
    "import minitorch.nn.functional as F": "import torch.nn.functional as F",
    "import minitorch.optim as optim": "import torch.optim as optim",
}


@pytest.fixture(scope="module")
def pytorch():
    """The samples above run by PyTorch: the imports swapped."""
    library = pytest.importorskip("torch")
    before = library.get_num_threads()
    library.set_num_threads(1)
    from torch_reference import program_on_pytorch

    with program_on_pytorch(__file__, TORCH_IMPORTS, "modules_note_on_pytorch") as module:
        yield library, vars(module)
    library.set_num_threads(before)


@pytest.fixture(autouse=True)
def in_tmp_path(tmp_path, monkeypatch):
    """The samples save to relative names ('net.pt', 'model.pt', ...), as the texts do."""
    monkeypatch.chdir(tmp_path)


OURS = globals()


@contextlib.contextmanager
def same_draws(library, seed=0):
    """``randn`` and the initial weights of ``nn.Linear`` (and so ``MyLinear`` and the
    hooks' layer) drawn from one NumPy stream, so that both libraries run a sample from the
    same values."""
    rng = np.random.default_rng(seed)
    original_randn, original_init = library.randn, library.nn.Linear.__init__

    def randn(*size, dtype=None, requires_grad=False, device=None):
        size = tuple(size[0]) if len(size) == 1 and isinstance(size[0], (tuple, list)) else size
        dtype = dtype or library.float32
        values = rng.standard_normal(size).astype(str(dtype).removeprefix("torch."))
        return library.tensor(values, dtype=dtype, requires_grad=requires_grad)

    @functools.wraps(original_init)  # skip_init looks for its device argument
    def linear_init(self, *args, **kwargs):
        original_init(self, *args, **kwargs)
        bound = 1 / math.sqrt(self.weight.shape[1])
        with library.no_grad():
            for p in (self.weight, self.bias):
                if p is not None:
                    draw = rng.uniform(-bound, bound, tuple(p.shape))
                    p.copy_(library.tensor(draw.astype(str(p.dtype).removeprefix("torch."))))

    library.randn, library.nn.Linear.__init__ = randn, linear_init
    try:
        yield
    finally:
        library.randn, library.nn.Linear.__init__ = original_randn, original_init


def run(namespace, library, name, *args, seed=0, **kwargs):
    """Sample ``name`` of ``namespace``, from the draws of ``seed``: (its result, what it
    printed, line by line)."""
    printed = []
    namespace_print = namespace.get("print")
    namespace["print"] = lambda *values, **_: printed.append(" ".join(map(str, values)))
    try:
        with same_draws(library, seed):
            result = namespace[name](*args, **kwargs)
    finally:
        if namespace_print is None:
            del namespace["print"]
        else:
            namespace["print"] = namespace_print
    return result, printed


def ours(name, *args, **kwargs):
    return run(OURS, torch, name, *args, **kwargs)


def theirs(pytorch, name, *args, **kwargs):
    library, namespace = pytorch
    return run(namespace, library, name, *args, **kwargs)


def same_text(lines):
    """Printed lines with PyTorch's spellings of shapes and dtypes made minitorch's:
    ``torch.Size([6, 3])`` is ``(6, 3)``, ``torch.float64`` is ``float64``."""
    def size(match):
        numbers = match.group(1)
        return f"({numbers},)" if numbers and "," not in numbers else f"({numbers})"
    lines = [re.sub(r"torch\.Size\(\[([^\]]*)\]\)", size, line) for line in lines]
    return [line.replace("torch.", "") for line in lines]


def numbers(tensor):
    return np.asarray(tensor.detach().numpy(), dtype=np.float64)


def assert_same_values(mine, reference, rtol=1e-5, atol=1e-6):
    assert tuple(mine.shape) == tuple(reference.shape)
    assert str(mine.dtype) == str(reference.dtype).removeprefix("torch.")
    np.testing.assert_allclose(numbers(mine), numbers(reference), rtol=rtol, atol=atol)


def shapes(module):
    return [(key, tuple(value.shape)) for key, value in module.state_dict().items()]


def images(seed=0, count=4):
    rng = np.random.default_rng(seed)
    return (rng.standard_normal((count, 3, 32, 32)).astype(np.float32),
            rng.integers(0, 10, count))


# ----- the Modules note --------------------------------------------------------------------------


def test_a_simple_custom_module_registers_its_parameters():
    result, printed = ours("simple_custom_module")
    m = result["module"]
    assert [name for name, _ in m.named_parameters()] == ["weight", "bias"]
    assert all(isinstance(p, nn.Parameter) and p.requires_grad for p in m.parameters())
    assert result["output"].shape == (3,) and result["output"].grad_fn.name() == "AddBackward0"
    expected = result["input"].numpy() @ m.weight.detach().numpy() + m.bias.detach().numpy()
    np.testing.assert_allclose(result["output"].detach().numpy(), expected, rtol=1e-6)
    assert printed[0].startswith("tensor([") and printed[0].endswith(
        "grad_fn=<AddBackward0>)")
    assert printed[1].startswith("('weight', Parameter containing:\ntensor([[")
    assert printed[2].startswith("('bias', Parameter containing:\ntensor([")


def test_a_simple_custom_module_prints_as_pytorch(pytorch):
    result, printed = ours("simple_custom_module")
    reference, reference_printed = theirs(pytorch, "simple_custom_module")
    assert printed == reference_printed  # the same draws: the same output and parameters
    assert_same_values(result["output"], reference["output"])


def test_modules_compose_as_building_blocks():
    result, printed = ours("building_blocks")
    assert result["sequential_output"].shape == (1,)
    assert [name for name, _ in result["net"].named_children()] == ["l0", "l1"]
    assert [name for name, _ in result["big_net"].named_modules()] == [
        "", "l1", "net", "net.l0", "net.l1"]
    assert [type(m).__name__ for m in result["big_net"].modules()] == [
        "BigNet", "MyLinear", "Net", "MyLinear", "MyLinear"]
    dynamic_net = result["dynamic_net"]
    assert [name for name, _ in dynamic_net.named_parameters()] == [
        "linears.0.weight", "linears.0.bias", "linears.1.weight", "linears.1.bias",
        "linears.2.weight", "linears.2.bias", "final.weight", "final.bias"]
    assert sum(p.numel() for p in dynamic_net.parameters()) == 3 * (16 + 4) + 4 + 1
    assert all(p.dtype == torch.float64 for p in dynamic_net.parameters())
    assert result["output64"].dtype == torch.float64 and result["output64"].shape == (1,)
    assert [type(m).__name__ for m in dynamic_net.activations.children()] == ["ReLU", "LeakyReLU"]
    assert len(printed) == 1 + 2 + 5 + 8 + 1


def test_building_blocks_agree_with_pytorch(pytorch):
    result, printed = ours("building_blocks")
    reference, reference_printed = theirs(pytorch, "building_blocks")
    for key in ("sequential_output", "output", "output64"):
        assert_same_values(result[key], reference[key])
    # named_children and named_modules: the same names and classes (a custom module prints
    # its parameters' shapes in minitorch, `MyLinear()` in PyTorch)
    for key, method in (("net", "named_children"), ("big_net", "named_modules")):
        assert ([(name, type(m).__name__) for name, m in getattr(result[key], method)()]
                == [(name, type(m).__name__) for name, m in getattr(reference[key], method)()])
    # named_parameters, from the same draws: the same names and values, printed alike
    assert printed[8:16] == reference_printed[8:16]
    assert shapes(result["dynamic_net"]) == shapes(reference["dynamic_net"])


def test_apply_initialises_linear_layers_under_no_grad():
    """The note's init_weights applied where there are nn.Linear layers (its DynamicNet has
    none: MyLinear is not one), and nn.init.zeros_ in a second init function."""
    net = nn.Sequential(nn.Linear(4, 64), nn.ReLU(), nn.Sequential(nn.Linear(64, 256)))
    with torch.no_grad():
        for p in net.parameters():
            p.fill_(3.0)
    visited = []
    net.apply(lambda m: visited.append(type(m).__name__))
    assert visited == ["Linear", "ReLU", "Linear", "Sequential", "Sequential"]  # children first
    assert net.apply(init_weights) is net
    for layer in (net[0], net[2][0]):
        assert np.all(layer.bias.detach().numpy() == 0) and layer.weight.grad_fn is None
        std = math.sqrt(2 / sum(layer.weight.shape))
        assert abs(layer.weight.detach().numpy().std() / std - 1) < 0.15
        assert layer.weight.requires_grad and layer.weight.is_leaf

    def zero_weights(m):
        if isinstance(m, nn.Linear):
            nn.init.zeros_(m.weight)

    with torch.no_grad():
        net.apply(zero_weights)
    assert all(np.all(p.detach().numpy() == 0) for p in net.parameters())


def test_the_training_loop_teaches_the_network_to_output_zero():
    result, printed = ours("training")  # the note's 10,000 steps: about a second
    net = result["net"]
    assert not net.training and not net.l0.training
    with torch.no_grad():
        assert net(torch.randn(500, 4)).abs().mean().item() < 0.02
    assert net.l1.weight.abs().sum().item() < 0.5 * result["before"].abs().sum().item()
    assert printed[0].startswith("Parameter containing:\ntensor([[")
    assert all(p.grad is not None for p in net.parameters())
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())  # set_to_none, as in PyTorch
    np.testing.assert_array_equal(numbers(result["training_output"]), numbers(result["x"] + 1.))
    np.testing.assert_array_equal(numbers(result["evaluation_output"]), numbers(result["x"]))
    assert printed[1].startswith("training mode output: tensor([")
    assert printed[2].startswith("evaluation mode output: tensor([")


def test_the_training_loop_follows_pytorch(pytorch):
    result, printed = ours("training", steps=1000)
    reference, reference_printed = theirs(pytorch, "training", steps=1000)
    for mine, its in zip(result["net"].parameters(), reference["net"].parameters(), strict=True):
        assert_same_values(mine, its, rtol=1e-4, atol=1e-5)  # printed, they can differ in
        # the last digit
    assert printed[1:] == reference_printed[1:]  # train() and eval() outputs
    state, reference_state = (o.state_dict() for o in (result["optimizer"],
                                                        reference["optimizer"]))
    assert repr(state["param_groups"]) == repr(reference_state["param_groups"])
    assert sorted(state["state"]) == sorted(reference_state["state"]) == [0, 1, 2, 3]
    for index, entry in state["state"].items():
        assert list(entry) == list(reference_state["state"][index]) == ["momentum_buffer"]
        assert_same_values(entry["momentum_buffer"],
                           reference_state["state"][index]["momentum_buffer"], 1e-4, 1e-5)


def test_module_state_saves_parameters_and_persistent_buffers():
    trained, _ = ours("training", steps=10)
    result, printed = ours("module_state", trained["net"])
    assert printed[0] == "<All keys matched successfully>"
    for mine, saved in zip(result["new_net"].parameters(), trained["net"].parameters(),
                           strict=True):
        np.testing.assert_array_equal(numbers(mine), numbers(saved))
    assert printed[1].startswith("OrderedDict([('mean', tensor([")
    with_thing = result["with_thing"]
    assert [name for name, _ in with_thing.named_buffers()] == ["mean", "unserialized_thing"]
    assert all(b.dtype == torch.float64 for b in with_thing.buffers())  # both converted
    assert list(with_thing.state_dict()) == ["mean"]
    assert printed[2].startswith("('mean', tensor([0., 0., 0., 0.], dtype=float64))")
    stateful = result["stateful_loaded"]
    assert list(stateful.state_dict()) == [
        "param1", "param2", "buffer1", "param_list.0", "param_list.1", "param_list.2",
        "param_dict.bar", "param_dict.foo", "linear.weight", "linear.bias"]
    assert stateful.param3 is None and stateful.buffer3 is None
    assert "buffer2" not in stateful.state_dict() and stateful.buffer2.shape == (5,)
    for key, value in result["stateful"].state_dict().items():
        np.testing.assert_array_equal(numbers(stateful.state_dict()[key]), numbers(value))
    with pytest.raises(TypeError, match="cannot assign a Tensor to parameter 'param3'"):
        stateful.param3 = torch.zeros(1)  # reserved for a Parameter
    stateful.param3 = nn.Parameter(torch.zeros(1))
    assert "param3" in stateful.state_dict()


def test_module_state_agrees_with_pytorch(pytorch):
    trained, _ = ours("training", steps=10)
    reference_trained, _ = theirs(pytorch, "training", steps=10)
    result, printed = ours("module_state", trained["net"])
    reference, reference_printed = theirs(pytorch, "module_state", reference_trained["net"])
    assert printed[0] == reference_printed[0] == "<All keys matched successfully>"
    assert repr(result["stateful_result"]) == repr(reference["stateful_result"])
    for key in ("running_mean", "stateful_loaded", "with_thing"):
        assert shapes(result[key]) == shapes(reference[key])
        assert ([name for name, _ in result[key].named_buffers()]
                == [name for name, _ in reference[key].named_buffers()])
        for (name, mine), (_, its) in zip(result[key].state_dict().items(),
                                          reference[key].state_dict().items(), strict=True):
            assert_same_values(mine, its), name
    assert same_text(printed[1:]) == same_text(reference_printed[1:])  # the same draws
    assert (sum(p.numel() for p in result["stateful"].parameters())
            == sum(p.numel() for p in reference["stateful"].parameters()) == 2 + 3 + 6 + 7 + 9)


def test_parameter_dict_is_a_dict_of_registered_parameters():
    pd = nn.ParameterDict({"foo": nn.Parameter(torch.randn(3)), "bar": torch.zeros(4)})
    assert list(pd) == ["bar", "foo"]  # a plain dict in sorted order, as in PyTorch
    assert isinstance(pd["bar"], nn.Parameter) and pd["bar"].requires_grad
    pd["baz"] = nn.Parameter(torch.ones(1))
    pd["bar"] = nn.Parameter(torch.ones(4))  # replaced in place
    assert list(pd.keys()) == ["bar", "foo", "baz"] and len(pd) == 3 and "foo" in pd
    assert [name for name, _ in pd.named_parameters()] == ["bar", "foo", "baz"]
    assert pd.get("nothing") is None and pd.pop("baz").shape == (1,) and "baz" not in pd
    pd.update([("z", torch.zeros(2)), ("a", torch.zeros(2))])  # pairs keep their order
    assert list(pd) == ["bar", "foo", "z", "a"]
    assert list(pd.copy()) == list(pd) and pd.copy()["foo"] is pd["foo"]
    assert pd.popitem()[0] == "a" and pd.setdefault("q", torch.ones(1)).shape == (1,)
    assert list(pd | nn.ParameterDict({"r": torch.ones(1)})) == ["bar", "foo", "z", "q", "r"]
    assert repr(pd).startswith("ParameterDict(\n  (bar): Parameter containing: [float32 of")
    with pytest.raises(KeyError, match="attribute 'keys' already exists"):
        pd["keys"] = torch.zeros(1)
    with pytest.raises(KeyError):
        pd["a.b"] = torch.zeros(1)
    with pytest.raises(TypeError, match="ParameterDict holds Parameters or Tensors"):
        pd["x"] = 1.0
    with pytest.raises(KeyError):
        pd["missing"]
    pd.clear()
    assert len(pd) == 0 and list(pd.parameters()) == []


def test_module_initialization_with_a_dtype_and_skipped_initialisation():
    result, printed = ours("module_initialization")
    assert result["half"].weight.dtype == torch.float16 == result["half"].bias.dtype
    weight = numbers(result["orthogonal"].weight)
    assert weight.shape == (3, 5) and result["orthogonal"].weight.dtype == torch.float32
    np.testing.assert_allclose(weight @ weight.T, np.eye(3), atol=1e-6)  # orthonormal rows
    assert printed == ["tensor([0., 0., 0.], dtype=float16)"]
    tall = nn.init.orthogonal_(torch.empty(6, 2, 2), gain=2.0).reshape(6, 4).numpy()
    np.testing.assert_allclose(tall.T @ tall, 4 * np.eye(4), atol=1e-5)  # columns, gain 2
    with pytest.raises(ValueError, match="2 or more dimensions"):
        nn.init.orthogonal_(torch.empty(3))
    # skip_init leaves the nn.init calls out, and draws nothing
    torch.manual_seed(0)
    skipped = torch.nn.utils.skip_init(nn.Linear, 5, 3)
    after_skipped = torch.rand(1).item()
    torch.manual_seed(0)
    assert torch.rand(1).item() == after_skipped
    assert skipped.weight.shape == (3, 5) and skipped.weight.requires_grad
    with pytest.raises(RuntimeError, match="must support a 'device' arg"):
        torch.nn.utils.skip_init(RunningMean, 4)
    with pytest.raises(RuntimeError, match="Expected a Module"):
        torch.nn.utils.skip_init(dict)
    assert nn.init.constant_(torch.empty(2), 0.5).tolist() == [0.5, 0.5]


def test_module_initialization_agrees_with_pytorch(pytorch):
    result, printed = ours("module_initialization")
    reference, reference_printed = theirs(pytorch, "module_initialization")
    assert same_text(printed) == same_text(reference_printed)
    for key in ("half", "orthogonal", "batch_norm"):
        assert shapes(result[key]) == shapes(reference[key])
        assert ([str(v.dtype) for v in result[key].state_dict().values()]
                == [str(v.dtype).removeprefix("torch.")
                    for v in reference[key].state_dict().values()])


def test_module_hooks_change_inputs_outputs_and_gradients():
    result, printed = ours("module_hooks")
    x = result["x"]
    assert_same_values(result["pre"], result["module"](x + 1.0))
    assert_same_values(result["both"], result["module"](x + 1.0) + (x + 1.0))
    np.testing.assert_array_equal(numbers(result["removed"]), numbers(result["none"]))
    column_sums = numbers(result["module"].weight).sum(axis=0)
    np.testing.assert_allclose(numbers(result["grad"]), np.tile(column_sums, (2, 1)), rtol=1e-6)
    np.testing.assert_array_equal(numbers(result["hooked_grad"]), np.full((2, 3), 42.0))
    assert printed[-1] == ("x.grad with backwards hook: tensor([[42., 42., 42.],\n"
                           "        [42., 42., 42.]])")
    assert printed[0].endswith("grad_fn=<AddmmBackward0>)")
    assert printed[2].endswith("grad_fn=<AddBackward0>)")


def test_module_hooks_agree_with_pytorch(pytorch):
    result, printed = ours("module_hooks")
    reference, reference_printed = theirs(pytorch, "module_hooks")
    for key in ("none", "pre", "both", "removed", "grad", "hooked_grad"):
        assert_same_values(result[key], reference[key])
    assert printed == reference_printed


def test_freezing_with_requires_grad_trains_only_the_rest():
    """Not in the texts, which the brief of this port names: freeze a loaded model's
    features with requires_grad_(False) and train a new head, as warm starting goes on."""
    source, _ = ours("warmstarting")
    netC = source["netC"]
    for layer in (netC.conv1, netC.conv2, netC.fc1, netC.fc2):
        assert layer.requires_grad_(False) is layer
    frozen = {name: numbers(p).copy() for name, p in netC.named_parameters()}
    trainable = [p for p in netC.parameters() if p.requires_grad]
    assert len(trainable) == 2 and sum(p.numel() for p in trainable) == 84 * 2 + 2
    optimizer = optim.SGD(trainable, lr=0.1)
    data, labels = images(count=8)
    labels = labels % 2
    for _ in range(3):
        optimizer.zero_grad()
        F.cross_entropy(netC(torch.tensor(data)), torch.tensor(labels)).backward()
        optimizer.step()
    for name, p in netC.named_parameters():
        if name.startswith("head."):
            assert not np.array_equal(numbers(p), frozen[name])
        else:
            assert p.grad is None and np.array_equal(numbers(p), frozen[name]), name


# ----- Saving and Loading Models and its recipes ------------------------------------------------


STATE_DICT_LINES = [
    "Model's state_dict:",
    "conv1.weight \t (6, 3, 5, 5)",
    "conv1.bias \t (6,)",
    "conv2.weight \t (16, 6, 5, 5)",
    "conv2.bias \t (16,)",
    "fc1.weight \t (120, 400)",
    "fc1.bias \t (120,)",
    "fc2.weight \t (84, 120)",
    "fc2.bias \t (84,)",
    "fc3.weight \t (10, 84)",
    "fc3.bias \t (10,)",
    "",
    "Optimizer's state_dict:",
    "state \t {}",
    "param_groups \t [{'lr': 0.001, 'momentum': 0.9, 'dampening': 0, 'weight_decay': 0, "
    "'nesterov': False, 'maximize': False, 'foreach': None, 'differentiable': False, "
    "'fused': None, 'params': [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]}]",
]


def test_what_is_a_state_dict():
    result, printed = ours("what_is_a_state_dict")
    assert printed == STATE_DICT_LINES
    assert sum(p.numel() for p in result["model"].parameters()) == 62006


def test_what_is_a_state_dict_prints_as_pytorch(pytorch):
    result, printed = ours("what_is_a_state_dict")
    reference, reference_printed = theirs(pytorch, "what_is_a_state_dict")
    assert printed == same_text(reference_printed) == STATE_DICT_LINES
    assert (sum(p.numel() for p in result["model"].parameters())
            == sum(p.numel() for p in reference["model"].parameters()))


def test_save_and_load_the_state_dict_for_inference():
    trained, _ = ours("what_is_a_state_dict")
    model, printed = ours("save_load_for_inference", trained["model"])
    assert printed == ["<All keys matched successfully>"] and not model.training
    data, _ = images()
    with torch.no_grad():
        np.testing.assert_array_equal(numbers(model(torch.tensor(data))),
                                      numbers(trained["model"](torch.tensor(data))))
    assert Path("state_dict_model.pt").exists()
    with pytest.raises(TypeError, match="expected a dict"):
        model.load_state_dict("state_dict_model.pt")  # "you CANNOT load using a PATH"


def test_saving_a_whole_model_is_refused_with_what_to_do_instead():
    trained, _ = ours("what_is_a_state_dict")
    message = ("cannot save a whole TheModelClass: minitorch never pickles code; save "
               "model.state_dict() instead, and load it with model.load_state_dict()")
    with pytest.raises(TypeError, match=re.escape(message)):
        ours("save_load_entire_model", trained["model"])
    assert not Path("entire_model.pt").exists()
    with pytest.raises(TypeError, match="cannot save a whole SGD: .* save optimizer.state_dict"):
        torch.save({"optimizer": trained["optimizer"]}, "optimizer.pt")


def test_pytorchs_whole_model_file_is_refused_with_what_to_do_instead(pytorch):
    library, namespace = pytorch
    reference, _ = theirs(pytorch, "what_is_a_state_dict")
    model = namespace["save_load_entire_model"](reference["model"])  # PyTorch pickles it
    assert type(model).__name__ == "TheModelClass"
    library.save(reference["model"].state_dict(), "pytorch_state_dict.pt")
    for name in ("entire_model.pt", "pytorch_state_dict.pt"):
        with pytest.raises(ValueError, match=r"written by PyTorch's torch\.save.* never "
                                             r"unpickles.* safetensors"):
            torch.load(name, weights_only=False)


def test_a_general_checkpoint_resumes_training():
    data, labels = images()
    data, labels = torch.tensor(data), torch.tensor(labels)
    result, printed = ours("general_checkpoint", data, labels)
    assert printed == ["<All keys matched successfully>"]
    checkpoint = result["checkpoint"]
    assert list(checkpoint) == ["epoch", "model_state_dict", "optimizer_state_dict", "loss"]
    assert result["epoch"] == 5 and result["loss"] == 0.4
    assert result["model"].training
    saved = checkpoint["optimizer_state_dict"]
    assert list(saved) == ["state", "param_groups"] and sorted(saved["state"]) == list(range(10))
    shapes_by_index = [tuple(p.shape) for p in result["net"].parameters()]
    for index, entry in saved["state"].items():
        assert list(entry) == ["momentum_buffer"]
        assert tuple(entry["momentum_buffer"].shape) == shapes_by_index[index]
    # the resumed model and optimizer take the same next steps as the originals
    a_few_steps(result["net"], result["optimizer"], data, labels)
    a_few_steps(result["model"], result["resumed_optimizer"], data, labels)
    for mine, its in zip(result["model"].parameters(), result["net"].parameters(), strict=True):
        np.testing.assert_array_equal(numbers(mine), numbers(its))


def test_a_general_checkpoint_agrees_with_pytorch(pytorch):
    library, _ = pytorch
    data, labels = images()
    result, printed = ours("general_checkpoint", torch.tensor(data), torch.tensor(labels))
    reference, reference_printed = theirs(pytorch, "general_checkpoint",
                                          library.tensor(data), library.tensor(labels))
    assert printed == reference_printed
    mine, its = result["checkpoint"], reference["checkpoint"]
    assert list(mine) == list(its)
    assert shapes(result["model"]) == shapes(reference["model"])
    mine, its = mine["optimizer_state_dict"], its["optimizer_state_dict"]
    assert repr(mine["param_groups"]) == repr(its["param_groups"])
    assert list(mine["state"]) == list(its["state"])
    for index, entry in mine["state"].items():
        assert list(entry) == list(its["state"][index])
        assert tuple(entry["momentum_buffer"].shape) == tuple(
            its["state"][index]["momentum_buffer"].shape)


def test_multiple_models_in_one_file():
    result, _ = ours("multiple_models")
    checkpoint = result["checkpoint"]
    assert list(checkpoint) == ["modelA_state_dict", "modelB_state_dict",
                                "optimizerA_state_dict", "optimizerB_state_dict"]
    for saved, loaded in (("netA", "modelA"), ("netB", "modelB")):
        for mine, its in zip(result[loaded].parameters(), result[saved].parameters(),
                             strict=True):
            np.testing.assert_array_equal(numbers(mine), numbers(its))
    assert not np.array_equal(numbers(result["modelA"].fc3.weight),
                              numbers(result["modelB"].fc3.weight))


def test_multiple_models_in_one_file_agree_with_pytorch(pytorch):
    result, _ = ours("multiple_models")
    reference, _ = theirs(pytorch, "multiple_models")
    assert list(result["checkpoint"]) == list(reference["checkpoint"])
    for key, value in result["checkpoint"].items():
        other = reference["checkpoint"][key]
        assert list(value) == list(other)
        if key.startswith("optimizer"):
            assert repr(value) == repr(other)
        else:
            assert [tuple(v.shape) for v in value.values()] == [
                tuple(v.shape) for v in other.values()]


def test_warmstarting_reports_missing_and_unexpected_keys():
    result, printed = ours("warmstarting")
    assert printed == [
        "<All keys matched successfully>",
        "_IncompatibleKeys(missing_keys=['head.weight', 'head.bias'], "
        "unexpected_keys=['fc3.weight', 'fc3.bias'])",
    ]
    assert result["new_head"].missing_keys == ["head.weight", "head.bias"]
    assert result["new_head"].unexpected_keys == ["fc3.weight", "fc3.bias"]
    for name in ("conv1", "conv2", "fc1", "fc2"):
        np.testing.assert_array_equal(numbers(getattr(result["netC"], name).weight),
                                      numbers(getattr(result["netA"], name).weight))
    # strict: missing and unexpected keys raise, as RuntimeError as in PyTorch
    with pytest.raises(RuntimeError, match=r"missing keys \['head.weight', 'head.bias'\] and "
                                           r"unexpected keys \['fc3.weight', 'fc3.bias'\]"):
        NetWithNewHead().load_state_dict(result["netA"].state_dict())
    # a shape that differs raises even with strict=False, as in PyTorch, and changes nothing
    state = result["netA"].state_dict()
    state["head.weight"], state["head.bias"] = torch.zeros(10, 84), torch.zeros(10)
    before = numbers(result["netC"].conv1.weight).copy()
    with pytest.raises(RuntimeError, match=r"\['head.weight'\] has shape \(10, 84\).*\(2, 84\)"):
        result["netC"].load_state_dict(state, strict=False)
    np.testing.assert_array_equal(numbers(result["netC"].conv1.weight), before)


def test_warmstarting_agrees_with_pytorch(pytorch):
    library, _ = pytorch
    result, printed = ours("warmstarting")
    reference, reference_printed = theirs(pytorch, "warmstarting")
    assert printed == reference_printed
    assert result["new_head"] == tuple(reference["new_head"])
    state = reference["netA"].state_dict()
    with pytest.raises(RuntimeError, match="(?s)Missing key.*head.weight.*Unexpected key.*fc3"):
        reference["netC"].load_state_dict(state)
    state["head.weight"], state["head.bias"] = library.zeros(10, 84), library.zeros(10)
    with pytest.raises(RuntimeError, match="size mismatch for head.weight"):
        reference["netC"].load_state_dict(state, strict=False)


def test_load_state_dict_with_assign_takes_the_loaded_tensors():
    result, printed = ours("load_with_assign")
    assert printed == ["<All keys matched successfully>"]
    state_dict, assigned = result["state_dict"], result["assigned"]
    for name, param in assigned.named_parameters():
        assert isinstance(param, nn.Parameter) and param.requires_grad and param.is_leaf
        assert np.shares_memory(param.detach().numpy(), state_dict[name].numpy())  # no copy
    with torch.no_grad():
        state_dict["linears.0.weight"].fill_(7.0)
    assert assigned.linears[0].weight.item() == 7.0
    # made after the load, as the recipe says, an optimizer trains the loaded tensors
    optimizer = optim.SGD(assigned.parameters(), lr=0.5)
    assigned.linears[0](torch.ones(1, 1)).sum().backward()
    optimizer.step()
    assert state_dict["linears.0.weight"].item() == 6.5


def test_load_state_dict_with_assign_keeps_requires_grad_and_takes_dtypes():
    model = nn.Sequential(nn.Linear(2, 2), nn.BatchNorm1d(2))
    model[0].weight.requires_grad_(False)
    given = nn.Parameter(torch.ones(2, 2))  # a Parameter is taken as it is
    bias = torch.arange(2.0, dtype=torch.float64)  # a tensor becomes a Parameter over it
    mean = torch.full((2,), 3.0)
    state = {**model.state_dict(), "0.weight": given, "0.bias": bias, "1.running_mean": mean}
    assert repr(model.load_state_dict(state, assign=True)) == "<All keys matched successfully>"
    assert model[0].weight is given and not given.requires_grad  # the module's requires_grad
    assert isinstance(model[0].bias, nn.Parameter) and model[0].bias.requires_grad
    assert model[0].bias.dtype == torch.float64  # not converted
    assert np.shares_memory(model[0].bias.detach().numpy(), bias.numpy())
    assert model[1].running_mean is mean
    # everything is checked before anything changes
    other = nn.Parameter(torch.zeros(2, 2))
    with pytest.raises(RuntimeError, match=r"\['1.bias'\] has shape \(3,\)"):
        model.load_state_dict({**state, "0.weight": other, "1.bias": torch.ones(3)},
                              assign=True)
    with pytest.raises(TypeError, match="int64 cannot become parameter '1.weight'"):
        model.load_state_dict({**state, "0.weight": other,
                               "1.weight": torch.ones(2, dtype=torch.int64)}, assign=True)
    assert model[0].weight is given
    result = model.load_state_dict({"1.weight": np.zeros(2, dtype=np.float32)}, strict=False,
                                   assign=True)
    assert "1.weight" not in result.missing_keys and model[1].weight.tolist() == [0.0, 0.0]


def test_load_state_dict_with_assign_agrees_with_pytorch(pytorch):
    library, _ = pytorch
    result, printed = ours("load_with_assign")
    reference, reference_printed = theirs(pytorch, "load_with_assign")
    assert printed == reference_printed == ["<All keys matched successfully>"]
    for name, param in reference["assigned"].named_parameters():
        assert isinstance(param, library.nn.Parameter) and param.requires_grad
        assert param.data_ptr() == reference["state_dict"][name].data_ptr()
    assert shapes(result["assigned"]) == shapes(reference["assigned"])

    def assign(library, weight_requires_grad):
        layer = library.nn.Linear(2, 2)
        layer.weight.requires_grad_(weight_requires_grad)
        given = library.nn.Parameter(library.ones(2, 2))
        bias = library.zeros(2, dtype=library.float64)
        keys = layer.load_state_dict({"weight": given, "bias": bias}, assign=True)
        return (repr(keys), layer.weight is given, given.requires_grad,
                str(layer.bias.dtype).removeprefix("torch."), layer.bias.requires_grad,
                type(layer.bias).__name__)

    for weight_requires_grad in (True, False):
        assert assign(torch, weight_requires_grad) == assign(library, weight_requires_grad)
