"""Parameter and multiply-add counting, listing of registered networks."""
import torch

from fusion.models.complexity import count_macs, count_parameters, network_names
from fusion.registry import FUSION_MODELS, NETWORKS


def test_count_macs_of_a_convolution_and_a_linear_layer():
    conv = torch.nn.Conv2d(3, 8, 3, padding=1)
    assert count_macs(conv, torch.rand(2, 3, 10, 12)) == 2 * 10 * 12 * 8 * 3 * 9
    linear = torch.nn.Linear(5, 7)
    assert count_macs(linear, torch.rand(4, 5)) == 4 * 5 * 7


def test_count_parameters_trainable_only():
    model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Linear(4, 2))
    model[0].requires_grad_(False)
    assert count_parameters(model) == 16 + 10
    assert count_parameters(model, trainable_only=True) == 10


def test_network_names_lists_networks_only():
    names = network_names(FUSION_MODELS)
    assert {"msfam", "msfam_conv5", "msfam_handcrafted", "nestfuse"} <= set(names)
    parameter_free = [n for n in FUSION_MODELS.module_dict if n not in names]
    for name in parameter_free:
        assert name not in {"msfam", "nestfuse"}
    assert network_names(NETWORKS) == ["SemanticConstraintClassifier"]
