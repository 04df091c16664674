"""Semantic Constraint classifier: logits (B, 2), probabilities, size limits."""
import pytest
import torch

from fusion.models.classifier import MIN_INPUT_SIZE, SemanticConstraintClassifier
from fusion.registry import NETWORKS


@pytest.mark.parametrize(("h", "w"), [(MIN_INPUT_SIZE, MIN_INPUT_SIZE), (33, 47), (256, 320)])
def test_logits_and_probabilities(h, w):
    model = NETWORKS.build(dict(type="SemanticConstraintClassifier"))
    x = torch.rand(3, 1, h, w)
    assert model(x).shape == (3, 2)
    p_vis, p_ir = model.probabilities(x)
    assert p_vis.shape == p_ir.shape == (3,)
    assert ((p_vis > 0) & (p_vis < 1) & (p_ir > 0) & (p_ir < 1)).all()
    assert torch.allclose(torch.stack([p_vis, p_ir], 1), torch.sigmoid(model(x)))


def test_structure_four_convs_one_linear():
    model = SemanticConstraintClassifier()
    convs = [m for m in model.modules() if isinstance(m, torch.nn.Conv2d)]
    linears = [m for m in model.modules() if isinstance(m, torch.nn.Linear)]
    assert len(convs) == 4 and len(linears) == 1 and linears[0].out_features == 2


def test_too_small_input_raises_with_its_size():
    with pytest.raises(ValueError, match=f"12x40.*{MIN_INPUT_SIZE}"):
        SemanticConstraintClassifier()(torch.rand(1, 1, 12, 40))
