"""Grad mode: no_grad / enable_grad per thread, re-entered, and around generators.

Thread interleavings are fixed with Events (never sleeps): each step waits for the one
before it, so every run checks the same order of events.
"""

import threading

import pytest

import minitorch as mt
from minitorch import Tensor

WAIT_S = 10  # only reached if a step never happens: the test then fails instead of hanging


def run_threads(*targets):
    """Run each target in its own thread; re-raise the first failure in the caller."""
    errors = []

    def guarded(target):
        try:
            target()
        except BaseException as error:  # noqa: BLE001 - handed to the test thread
            errors.append(error)

    threads = [threading.Thread(target=guarded, args=(target,)) for target in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(WAIT_S)
        assert not thread.is_alive(), "a thread did not finish"
    if errors:
        raise errors[0]


def step(event):
    assert event.wait(WAIT_S), "the other thread never got there"


def test_no_grad_in_one_thread_does_not_stop_recording_in_another():
    inside, trained = threading.Event(), threading.Event()
    w = Tensor([2.0], requires_grad=True)

    def evaluating():
        with mt.no_grad():
            inside.set()
            step(trained)  # stays inside no_grad while the other thread trains
            assert not (w * 3.0).requires_grad

    def training():
        step(inside)
        assert mt.is_grad_enabled()
        (w * 3.0).sum().backward()
        trained.set()

    run_threads(evaluating, training)
    assert w.grad.tolist() == [3.0]


def test_threads_leaving_no_grad_out_of_order_leave_recording_on():
    a_in, b_in, a_out = threading.Event(), threading.Event(), threading.Event()

    def first():
        with mt.no_grad():
            a_in.set()
            step(b_in)
        a_out.set()  # leaves while the second thread is still inside
        assert mt.is_grad_enabled()

    def second():
        step(a_in)
        with mt.no_grad():
            b_in.set()
            step(a_out)
            assert not mt.is_grad_enabled()
        assert mt.is_grad_enabled()

    run_threads(first, second)
    assert mt.is_grad_enabled()
    assert (Tensor([1.0], requires_grad=True) * 2.0).requires_grad


def test_one_no_grad_object_shared_by_threads():
    shared = mt.no_grad()
    a_in, b_in, a_out = threading.Event(), threading.Event(), threading.Event()

    def first():
        with shared:
            a_in.set()
            step(b_in)
        a_out.set()
        assert mt.is_grad_enabled()

    def second():
        with mt.no_grad():  # this thread enters the shared object with recording off
            step(a_in)
            with shared:
                b_in.set()
                step(a_out)
            assert not mt.is_grad_enabled()  # its own previous mode, not the other thread's
        assert mt.is_grad_enabled()

    run_threads(first, second)


def test_new_threads_start_with_recording_on():
    seen = []
    with mt.no_grad():
        run_threads(lambda: seen.append(mt.is_grad_enabled()))
    assert seen == [True]


def test_same_no_grad_object_entered_twice():
    ng = mt.no_grad()
    with ng:
        with ng:
            assert not mt.is_grad_enabled()
        assert not mt.is_grad_enabled()
    assert mt.is_grad_enabled()


def test_recursive_function_decorated_with_no_grad():
    w = Tensor([1.0], requires_grad=True)

    @mt.no_grad()
    def depth_first(n):
        assert not mt.is_grad_enabled()
        return w * 1.0 if n == 0 else depth_first(n - 1)

    assert not depth_first(3).requires_grad
    assert mt.is_grad_enabled()
    assert (w * 1.0).requires_grad


def test_enable_grad_re_entered_inside_no_grad():
    eg = mt.enable_grad()
    with mt.no_grad():
        with eg:
            with eg:
                assert mt.is_grad_enabled()
            assert mt.is_grad_enabled()
        assert not mt.is_grad_enabled()
    assert mt.is_grad_enabled()


def test_decorated_generator_runs_every_resume_under_the_mode():
    w = Tensor([1.0], requires_grad=True)
    modes_inside = []

    @mt.no_grad()
    def predictions(count):
        for i in range(count):
            modes_inside.append(mt.is_grad_enabled())
            received = yield w * float(i)
            modes_inside.append(mt.is_grad_enabled())
            if received == "stop":
                return "stopped"
        return "done"

    generator = predictions(3)
    assert mt.is_grad_enabled()  # creating the generator runs nothing
    first = next(generator)
    assert mt.is_grad_enabled()  # the caller's mode is back while the generator is paused
    assert (w * 2.0).requires_grad
    second = generator.send(None)
    with pytest.raises(StopIteration) as finished:
        generator.send("stop")
    assert finished.value.value == "stopped"
    assert not first.requires_grad and not second.requires_grad
    assert modes_inside == [False] * 4
    assert [t.item() for t in predictions(2)] == [0.0, 1.0]  # a for loop runs it to its end
    assert mt.is_grad_enabled()


def test_decorated_generator_sees_thrown_exceptions_and_close_under_the_mode():
    modes = []

    @mt.enable_grad()
    def watcher():
        try:
            yield 1
        except KeyError:
            modes.append(("thrown", mt.is_grad_enabled()))
            yield 2
        finally:
            modes.append(("finally", mt.is_grad_enabled()))

    with mt.no_grad():
        generator = watcher()
        assert next(generator) == 1
        assert generator.throw(KeyError("x")) == 2
        assert not mt.is_grad_enabled()
        generator.close()
        assert not mt.is_grad_enabled()
    assert modes == [("thrown", True), ("finally", True)]


def test_decorated_generator_raising_restores_the_mode():
    @mt.no_grad()
    def failing():
        yield 1
        raise ValueError("boom")

    generator = failing()
    next(generator)
    with pytest.raises(ValueError, match="boom"):
        next(generator)
    assert mt.is_grad_enabled()


def test_thread_ending_inside_no_grad_leaves_other_threads_recording():
    def ends_inside():
        mt.set_grad_enabled(False)  # never switched back: the thread just ends
        assert not (Tensor([1.0], requires_grad=True) * 2.0).requires_grad

    run_threads(ends_inside)
    w = Tensor([2.0], requires_grad=True)
    assert (w * 3.0).requires_grad
    seen = []
    run_threads(lambda: seen.append((w * 3.0).requires_grad))
    assert seen == [True]
    with mt.no_grad():
        assert not (w * 3.0).requires_grad
    assert (w * 3.0).requires_grad


def test_set_grad_enabled_called_alone_switches_until_switched_back():
    w = Tensor([2.0], requires_grad=True)
    try:
        mt.set_grad_enabled(False)
        assert not mt.is_grad_enabled() and not (w * 2.0).requires_grad
        mt.set_grad_enabled(True)
        assert (w * 2.0).requires_grad
    finally:
        mt.set_grad_enabled(True)


@pytest.mark.parametrize("phase", ["train", "val"])
def test_set_grad_enabled_as_a_context_restores_the_mode(phase):
    w = Tensor([2.0], requires_grad=True)
    with mt.no_grad():
        with mt.set_grad_enabled(phase == "train"):  # as PyTorch's transfer-learning loop
            assert (w * 2.0).requires_grad == (phase == "train")
        assert not mt.is_grad_enabled()
    with mt.set_grad_enabled(phase == "train"):
        assert mt.is_grad_enabled() == (phase == "train")
    assert mt.is_grad_enabled()


def test_set_grad_enabled_as_a_decorator_switches_only_inside_the_function():
    @mt.set_grad_enabled(False)
    def evaluate(w):
        return (w * 2.0).requires_grad

    assert mt.is_grad_enabled()  # decorating did not switch the mode
    assert evaluate(Tensor([1.0], requires_grad=True)) is False
    assert mt.is_grad_enabled()


def test_set_grad_enabled_needs_a_bool():
    with pytest.raises(TypeError, match="expected a bool, got str"):
        mt.set_grad_enabled("no")
    assert mt.is_grad_enabled()


def test_inference_mode_stops_recording_and_false_turns_it_on():
    w = Tensor([2.0], requires_grad=True)
    with mt.inference_mode():
        assert not (w * 2.0).requires_grad
        with mt.inference_mode(False):
            assert (w * 2.0).requires_grad
    assert (w * 2.0).requires_grad

    @mt.inference_mode
    def bare(x):
        return (x * 2.0).requires_grad

    @mt.inference_mode()
    def called(x):
        return (x * 2.0).requires_grad

    assert bare(w) is False and called(w) is False
    assert mt.is_grad_enabled()


def test_no_grad_and_enable_grad_decorate_bare_as_in_pytorch():
    w = Tensor([2.0], requires_grad=True)

    @mt.no_grad
    def evaluate(x):
        """evaluates"""
        return (x * 2.0).requires_grad

    @mt.enable_grad
    def train(x):
        return (x * 2.0).requires_grad

    assert evaluate(w) is False and evaluate.__doc__ == "evaluates"
    with mt.no_grad():
        assert train(w) is True
    assert mt.is_grad_enabled()
    with pytest.raises(TypeError, match=r"no_grad\(\) takes no arguments .*got int"):
        mt.no_grad(3)
