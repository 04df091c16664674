"""Model complexity: parameter counts and multiply-adds, for tools and benchmarks.

Multiply-adds (MACs) are counted with ``torch.utils.flop_counter.FlopCounterMode``, which reports
``2 x MACs`` FLOPs for every convolution and matrix product (including their backward ops if run
under autograd) and nothing for element-wise ops, pooling, normalisation, interpolation or SVDs: the
usual convention of fusion papers ("GFLOPs" there mostly mean G multiply-adds of the convolutions).
Run it on the ``meta`` device to count without computing.
"""
from __future__ import annotations

import inspect

import torch
from mmengine.registry import Registry
from torch import nn
from torch.utils.flop_counter import FlopCounterMode


def count_parameters(module: nn.Module, trainable_only: bool = False) -> int:
    """Number of parameter elements of ``module`` (all, or only those with ``requires_grad``)."""
    return sum(p.numel() for p in module.parameters() if p.requires_grad or not trainable_only)


def count_macs(module: nn.Module, *inputs: torch.Tensor) -> int:
    """Multiply-adds of the convolutions and matrix products of one ``module(*inputs)`` call, no autograd.

    Args:
        module: the network (any device, ``meta`` included).
        *inputs: its positional inputs, on the module's device.

    Returns:
        The number of multiply-adds (half of ``FlopCounterMode``'s FLOPs).
    """
    with FlopCounterMode(display=False) as counter, torch.no_grad():
        module(*inputs)
    return counter.get_total_flops() // 2


def network_names(registry: Registry) -> list[str]:
    """Sorted names of the ``registry`` entries that are neural networks: ``nn.Module`` classes with parameters.

    Each module class is built with its default arguments on the ``meta`` device (no memory, no
    compute) to see whether it has parameters; training-free baselines are left out.
    """
    names = []
    for name, obj in registry.module_dict.items():
        if not (inspect.isclass(obj) and issubclass(obj, nn.Module)):
            continue
        with torch.device("meta"):
            module = registry.build(dict(type=name))
        if count_parameters(module) > 0:
            names.append(name)
    return sorted(names)
