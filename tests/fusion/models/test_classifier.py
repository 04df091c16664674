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


def _synthetic_batch(n: int, generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """n samples of each kind at 32x32: textured bright 'visible', dark smooth 'infrared' with a warm blob,
    and their average as 'fused'; labels (is visible, is infrared)."""
    texture = 0.55 + 0.25 * torch.rand(n, 1, 32, 32, generator=generator)
    smooth = torch.nn.functional.avg_pool2d(0.2 * torch.rand(n, 1, 32, 32, generator=generator), 7, 1, 3)
    rows = torch.randint(4, 20, (n,), generator=generator)
    for i, row in enumerate(rows.tolist()):
        smooth[i, :, row:row + 10, row:row + 6] += 0.6
    images = torch.cat([texture, smooth, (texture + smooth) / 2])
    labels = torch.tensor([[1.0, 0.0]] * n + [[0.0, 1.0]] * n + [[1.0, 1.0]] * n)
    return images, labels


def test_learns_a_learnable_visible_infrared_fused_task():
    torch.manual_seed(0)
    generator = torch.Generator().manual_seed(0)
    model = SemanticConstraintClassifier(widths=(8, 8, 16, 16))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    for _ in range(40):
        images, labels = _synthetic_batch(8, generator)
        loss = torch.nn.functional.binary_cross_entropy_with_logits(model(images), labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    model.eval()  # frozen as in stage 2: batch statistics no longer used
    images, labels = _synthetic_batch(20, generator)
    with torch.no_grad():
        correct = ((model(images) > 0) == labels.bool()).all(dim=1).float().mean()
    assert correct >= 0.9


def test_eval_mode_scores_each_image_on_its_own():
    model = SemanticConstraintClassifier(widths=(4, 4, 8, 8)).eval()
    x = torch.rand(4, 1, 40, 48)
    with torch.no_grad():
        torch.testing.assert_close(model(x)[:1], model(x[:1]))


@pytest.mark.parametrize(("kernel_size", "field"), [(3, 31), (5, 61)])
def test_receptive_field_of_the_last_features(kernel_size, field):
    model = SemanticConstraintClassifier(widths=(4, 4, 4, 4), kernel_size=kernel_size).eval()
    x = torch.rand(1, 1, 160, 160, requires_grad=True)
    model.features(x)[0, :, 5, 5].sum().backward()
    rows = torch.nonzero(x.grad[0, 0].abs().sum(dim=1)).flatten()
    assert int(rows.max() - rows.min()) + 1 == field


def test_even_kernel_raises():
    with pytest.raises(ValueError, match="odd"):
        SemanticConstraintClassifier(kernel_size=4)
