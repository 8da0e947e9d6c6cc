"""The NumPy CNN layers against direct definitions on small inputs.

References: ``scipy.signal.correlate`` (convolutions, no kernel flip), plain Python loops
(pooling, padding windows), TensorFlow's documented "SAME" formula, BatchNorm applied as
its own step after the convolution, and a brute-force walk of window index ranges for the
receptive field. All arithmetic is float32 in the engine, float64 in the references;
tolerances are a few float32 ulps of the sums involved.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.signal import correlate

from retrieval.nn import functional as L

RTOL, ATOL = 2e-5, 2e-5  # sums of at most a few hundred float32 products of values in [-1, 1]


def random(rng, *shape):
    return rng.uniform(-1, 1, shape).astype(np.float32)


def padded_reference(x, rows, cols):
    """Zero padding written with np.pad (float64)."""
    return np.pad(x.astype(np.float64), ((0, 0), rows, cols, (0, 0)))


def conv_reference(x, weight, bias, stride, rows, cols):
    """Cross-correlation of each image with each output filter, by scipy, then strided."""
    xp = padded_reference(x, rows, cols)
    kh, kw, cin, cout = weight.shape
    out = []
    for image in xp:
        maps = [correlate(image, weight[:, :, :, o].astype(np.float64), mode="valid")[:, :, 0]
                for o in range(cout)]
        out.append(np.stack(maps, axis=-1)[::stride, ::stride])
    out = np.stack(out)
    return out if bias is None else out + bias


def depthwise_reference(x, weight, bias, stride, rows, cols):
    xp = padded_reference(x, rows, cols)
    out = np.stack([np.stack([correlate(image[:, :, c], weight[:, :, c].astype(np.float64),
                                        mode="valid")[::stride, ::stride]
                              for c in range(x.shape[3])], axis=-1) for image in xp])
    return out if bias is None else out + bias


def tf_same_padding(size, kernel, stride):
    """The rule as TensorFlow's documentation writes it (``n % s`` form)."""
    if size % stride == 0:
        total = max(kernel - stride, 0)
    else:
        total = max(kernel - size % stride, 0)
    return total // 2, total - total // 2


# ---------------------------------------------------------------- padding rules


@given(size=st.integers(1, 300), kernel=st.integers(1, 7), stride=st.integers(1, 4))
def test_same_padding_matches_tensorflow_formula(size, kernel, stride):
    before, after = L.same_padding(size, kernel, stride)
    assert (before, after) == tf_same_padding(size, kernel, stride)
    out = L.conv_output_size(size, kernel, stride, (before, after))
    assert out == -(-size // stride)  # ceil(size / stride) cells


@pytest.mark.parametrize(("size", "kernel", "stride", "expected"), [
    (224, 3, 2, (0, 1)), (225, 3, 2, (1, 1)), (86, 5, 2, (1, 2)), (87, 5, 2, (2, 2)),
    (43, 3, 1, (1, 1)), (11, 5, 1, (2, 2)), (1, 3, 2, (1, 1)), (8, 1, 2, (0, 0)),
])
def test_same_padding_known_values(size, kernel, stride, expected):
    assert L.same_padding(size, kernel, stride) == expected


@given(size=st.integers(1, 300), kernel=st.sampled_from([1, 3, 5, 7]), stride=st.integers(1, 3))
def test_symmetric_padding_is_pytorch_k_over_2(size, kernel, stride):
    assert L.symmetric_padding(size, kernel, stride) == (kernel // 2, kernel // 2)
    # PyTorch's documented output size with padding p: floor((n + 2p - k) / s) + 1
    p = kernel // 2
    assert L.conv_output_size(size, kernel, stride, (p, p)) == (size + 2 * p - kernel) // stride + 1


def test_pad_places_the_batch_inside_zeros():
    rng = np.random.default_rng(0)
    x = random(rng, 2, 3, 5, 4)
    out = L.pad(x, (1, 2), (0, 3))
    np.testing.assert_array_equal(out, padded_reference(x, (1, 2), (0, 3)).astype(np.float32))
    assert L.pad(x, (0, 0), (0, 0)) is x


# ---------------------------------------------------------------- convolutions


conv_cases = st.tuples(
    st.integers(1, 2),                       # batch
    st.integers(1, 9), st.integers(1, 9),    # height, width (odd and even, smaller than k)
    st.integers(1, 4), st.integers(1, 4),    # channels in, out
    st.sampled_from([1, 2, 3, 5]),           # kernel
    st.integers(1, 3),                       # stride
    st.sampled_from(["same", "symmetric", "valid", 0, 2]),
    st.booleans(),                           # bias
    st.integers(0, 2**32 - 1),
)


def _rule(padding, size, kernel, stride):
    if isinstance(padding, int):
        return padding, padding
    return {"same": tf_same_padding, "symmetric": lambda n, k, s: (k // 2, k // 2),
            "valid": lambda n, k, s: (0, 0)}[padding](size, kernel, stride)


@settings(max_examples=60, deadline=None)
@given(conv_cases)
def test_conv2d_matches_scipy_correlate(case):
    n, h, w, cin, cout, k, s, padding, with_bias, seed = case
    rng = np.random.default_rng(seed)
    x, weight = random(rng, n, h, w, cin), random(rng, k, k, cin, cout)
    bias = random(rng, cout) if with_bias else None
    rows, cols = _rule(padding, h, k, s), _rule(padding, w, k, s)
    if h + sum(rows) < k or w + sum(cols) < k:
        with pytest.raises(ValueError, match="does not fit"):
            L.conv2d(x, weight, bias, s, padding)
        return
    out = L.conv2d(x, weight, bias, s, padding)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, conv_reference(x, weight, bias, s, rows, cols),
                               rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("stride", [1, 2])
def test_conv2d_in_bands_of_rows_equals_one_band(monkeypatch, stride):
    """Long images are done in bands; a tiny band budget forces one row per band."""
    rng = np.random.default_rng(1)
    x, weight, bias = random(rng, 2, 13, 11, 3), random(rng, 3, 3, 3, 5), random(rng, 5)
    whole = L.conv2d(x, weight, bias, stride, "same")
    from retrieval.nn import convolution

    monkeypatch.setattr(convolution, "_IM2COL_BYTES", 1)
    banded = L.conv2d(x, weight, bias, stride, "same")
    np.testing.assert_allclose(banded, whole, rtol=1e-6, atol=1e-6)
    reference = conv_reference(x, weight, bias, stride, tf_same_padding(13, 3, stride),
                               tf_same_padding(11, 3, stride))
    np.testing.assert_allclose(banded, reference, rtol=RTOL, atol=ATOL)


def test_conv2d_rectangular_kernel():
    rng = np.random.default_rng(2)
    x, weight = random(rng, 1, 7, 6, 2), random(rng, 3, 1, 2, 2)
    np.testing.assert_allclose(L.conv2d(x, weight, padding="valid"),
                               conv_reference(x, weight, None, 1, (0, 0), (0, 0)),
                               rtol=RTOL, atol=ATOL)


@settings(max_examples=30, deadline=None)
@given(n=st.integers(1, 3), h=st.integers(1, 6), w=st.integers(1, 6), cin=st.integers(1, 5),
       cout=st.integers(1, 5), with_bias=st.booleans(), seed=st.integers(0, 2**32 - 1))
def test_pointwise_conv_is_a_plain_loop(n, h, w, cin, cout, with_bias, seed):
    rng = np.random.default_rng(seed)
    x, weight = random(rng, n, h, w, cin), random(rng, cin, cout)
    bias = random(rng, cout) if with_bias else None
    expected = np.zeros((n, h, w, cout))
    for index in np.ndindex(n, h, w):
        for o in range(cout):
            expected[index + (o,)] = sum(float(x[index + (c,)]) * float(weight[c, o])
                                         for c in range(cin))
    if bias is not None:
        expected += bias
    out = L.pointwise_conv(x, weight, bias)
    assert out.shape == (n, h, w, cout) and out.dtype == np.float32
    np.testing.assert_allclose(out, expected, rtol=RTOL, atol=ATOL)
    # and it is the 1x1 case of conv2d
    np.testing.assert_allclose(L.conv2d(x, weight[None, None], bias), out, rtol=1e-6, atol=1e-6)


@settings(max_examples=60, deadline=None)
@given(conv_cases)
def test_depthwise_conv_matches_scipy_per_channel(case):
    n, h, w, c, _, k, s, padding, with_bias, seed = case
    rng = np.random.default_rng(seed)
    x, weight = random(rng, n, h, w, c), random(rng, k, k, c)
    bias = random(rng, c) if with_bias else None
    rows, cols = _rule(padding, h, k, s), _rule(padding, w, k, s)
    if h + sum(rows) < k or w + sum(cols) < k:
        with pytest.raises(ValueError, match="does not fit"):
            L.depthwise_conv(x, weight, bias, s, padding)
        return
    out = L.depthwise_conv(x, weight, bias, s, padding)
    assert out.dtype == np.float32
    expected = depthwise_reference(x, weight, bias, s, rows, cols)
    np.testing.assert_allclose(out, expected, rtol=RTOL, atol=ATOL)
    # a convolution whose weights are zero between different channels gives the same
    full = np.zeros((k, k, c, c), np.float32)
    for channel in range(c):
        full[:, :, channel, channel] = weight[:, :, channel]
    np.testing.assert_allclose(L.conv2d(x, full, bias, s, padding), out, rtol=RTOL, atol=ATOL)


def test_depthwise_conv_on_a_padded_buffer_equals_padding_inside():
    rng = np.random.default_rng(3)
    x, weight, bias = random(rng, 2, 9, 8, 6), random(rng, 5, 5, 6), random(rng, 6)
    rows, cols = L.same_padding(9, 5, 2), L.same_padding(8, 5, 2)
    out_hw = (L.conv_output_size(9, 5, 2, rows), L.conv_output_size(8, 5, 2, cols))
    ready = L.depthwise_conv(L.pad(x, rows, cols), weight, bias, 2, padded=True, out_hw=out_hw)
    np.testing.assert_array_equal(ready, L.depthwise_conv(x, weight, bias, 2, "same"))


def test_depthwise_conv_of_a_strided_view():
    rng = np.random.default_rng(9)
    base, weight = random(rng, 1, 8, 14, 6), random(rng, 3, 3, 3)
    x = base[:, :, ::2, ::2]  # columns and channels not contiguous
    np.testing.assert_allclose(L.depthwise_conv(x, weight, padding="valid"),
                               depthwise_reference(x, weight, None, 1, (0, 0), (0, 0)),
                               rtol=RTOL, atol=ATOL)


def test_convolution_input_errors():
    x = np.zeros((1, 5, 5, 3), np.float32)
    with pytest.raises(ValueError, match="expect 4 input channels; the batch has 3"):
        L.conv2d(x, np.zeros((3, 3, 4, 2), np.float32))
    with pytest.raises(ValueError, match=r"NHWC batch \(N, H, W, C\); got \(5, 5, 3\)"):
        L.pointwise_conv(x[0], np.zeros((3, 2), np.float32))
    with pytest.raises(ValueError, match="7x7 window does not fit a 5x5 map"):
        L.depthwise_conv(x, np.zeros((7, 7, 3), np.float32), padding="valid")


# ---------------------------------------------------------------- pooling and activations


def max_pool_loop(x, k, s):
    n, h, w, c = x.shape
    ho, wo = (h - k) // s + 1, (w - k) // s + 1
    out = np.empty((n, ho, wo, c), x.dtype)
    for b, i, j, ch in np.ndindex(n, ho, wo, c):
        out[b, i, j, ch] = max(x[b, i * s + di, j * s + dj, ch]
                               for di in range(k) for dj in range(k))
    return out


@settings(max_examples=40, deadline=None)
@given(h=st.integers(2, 9), w=st.integers(2, 9), k=st.integers(1, 3), s=st.integers(1, 3),
       seed=st.integers(0, 2**32 - 1))
def test_max_pool_matches_loop_and_rounds_down(h, w, k, s, seed):
    if k > min(h, w):
        return
    x = random(np.random.default_rng(seed), 2, h, w, 3)
    out = L.max_pool(x, k, s)
    np.testing.assert_array_equal(out, max_pool_loop(x, k, s))


def test_max_pool_vgg_sizes_round_down():
    x = random(np.random.default_rng(4), 1, 7, 5, 2)
    assert L.max_pool(x).shape == (1, 3, 2, 2)  # floor(7/2), floor(5/2), as torch MaxPool2d(2)
    with pytest.raises(ValueError, match="padding='valid' only"):
        L.max_pool(x, 2, padding="same")


def test_relu_and_relu6_in_place():
    values = np.array([-3.0, -0.0, 0.5, 6.0, 7.5, np.inf, -np.inf], np.float32)
    x = values.copy()
    assert L.relu(x) is x
    np.testing.assert_array_equal(x, np.maximum(values, 0))
    y = values.copy()
    assert L.relu6(y) is y
    np.testing.assert_array_equal(y, np.clip(values, 0, 6))
    target = np.empty_like(values)
    z = values.copy()
    assert L.relu6(z, out=target) is target
    np.testing.assert_array_equal(target, np.clip(values, 0, 6))
    np.testing.assert_array_equal(z, values)  # the input is left alone when out= is given


@settings(max_examples=30, deadline=None)
@given(n=st.integers(1, 3), h=st.integers(1, 5), w=st.integers(1, 5), c=st.integers(1, 4),
       p=st.sampled_from([1.0, 2.0, 3.0, 4.5]), seed=st.integers(0, 2**32 - 1))
def test_global_pooling_definitions(n, h, w, c, p, seed):
    rng = np.random.default_rng(seed)
    maps = rng.uniform(-1, 6, (n, h, w, c)).astype(np.float32)
    m64 = maps.astype(np.float64)
    np.testing.assert_allclose(L.global_pool(maps, "avg"), m64.mean(axis=(1, 2)), rtol=1e-6,
                               atol=1e-6)
    np.testing.assert_array_equal(L.global_pool(maps, "max"), maps.max(axis=(1, 2)))
    gem = np.mean(np.maximum(m64, 1e-6) ** p, axis=(1, 2)) ** (1 / p)
    out = L.global_pool(maps, "gem", p=p)
    assert out.dtype == np.float32 and out.shape == (n, c)
    np.testing.assert_allclose(out, gem, rtol=1e-5)
    flat = L.global_pool(maps, "flatten")
    assert flat.shape == (n, h * w * c)
    for b, i, j, ch in [(0, 0, 0, 0), (n - 1, h - 1, w - 1, c - 1), (0, h // 2, w - 1, c // 2)]:
        assert flat[b, (i * w + j) * c + ch] == maps[b, i, j, ch]  # (row, column, channel)


def test_gem_lies_between_average_and_maximum():
    maps = np.random.default_rng(5).uniform(0.1, 5, (2, 4, 4, 3)).astype(np.float32)
    avg, big = L.global_pool(maps, "avg"), L.global_pool(maps, "max")
    gem = L.global_pool(maps, "gem", p=3.0)
    assert np.all(avg <= gem + 1e-6) and np.all(gem <= big + 1e-6)
    np.testing.assert_allclose(L.global_pool(maps, "gem", p=1.0), avg, rtol=1e-6)
    np.testing.assert_allclose(L.global_pool(maps, "gem", p=200.0), big, rtol=0.02)


def test_global_pool_rejects_unknown_pooling():
    with pytest.raises(ValueError, match=r"pooling must be one of .*'avg'.*got 'mean'"):
        L.global_pool(np.zeros((1, 2, 2, 1), np.float32), "mean")


# ---------------------------------------------------------------- batch norm folding


def batch_norm(y, gamma, beta, mean, var, eps):
    return gamma * (y - mean) / np.sqrt(var + eps) + beta


@pytest.mark.parametrize("conv_bias", [False, True])
@pytest.mark.parametrize("zero_variance", [False, True])
def test_fold_batch_norm_equals_conv_then_bn(conv_bias, zero_variance):
    rng = np.random.default_rng(6)
    cout, eps = 4, 1e-3
    x, weight = random(rng, 2, 6, 7, 3), random(rng, 3, 3, 3, cout)
    bias = random(rng, cout) if conv_bias else None
    gamma, beta, mean = random(rng, cout), random(rng, cout), random(rng, cout)
    var = rng.uniform(0.1, 2.0, cout).astype(np.float32)
    if zero_variance:
        var[[0, 2]] = 0.0  # a channel that never varied on the training set
    y = conv_reference(x, weight, bias, 1, (1, 1), (1, 1))
    expected = batch_norm(y, gamma.astype(np.float64), beta, mean, var.astype(np.float64), eps)
    w_folded, b_folded = L.fold_batch_norm(weight, gamma, beta, mean, var, eps, bias)
    assert w_folded.dtype == b_folded.dtype == np.float32
    assert w_folded.shape == weight.shape and b_folded.shape == (cout,)
    assert np.all(np.isfinite(w_folded)) and np.all(np.isfinite(b_folded))
    out = L.conv2d(x, w_folded, b_folded, 1, 1)
    scale = np.abs(expected).max()
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-5 * scale)


def test_fold_batch_norm_zero_variance_uses_eps_exactly():
    w, b = L.fold_batch_norm(np.ones((1, 1, 1, 1)), gamma=np.array([2.0]), beta=np.array([0.5]),
                             mean=np.array([3.0]), var=np.array([0.0]), eps=1e-3)
    scale = 2.0 / np.sqrt(1e-3)
    np.testing.assert_allclose(w.ravel(), [scale], rtol=1e-7)
    np.testing.assert_allclose(b, [-3.0 * scale + 0.5], rtol=1e-7)


def test_fold_batch_norm_of_a_depthwise_weight_scales_the_last_axis():
    rng = np.random.default_rng(7)
    weight = random(rng, 3, 3, 1, 5)  # (kh, kw, 1, C): a depthwise kernel in torch_conv_bn layout
    gamma, beta, mean = random(rng, 5), random(rng, 5), random(rng, 5)
    var = rng.uniform(0.5, 1.5, 5)
    w, b = L.fold_batch_norm(weight, gamma, beta, mean, var, 1e-5)
    scale = gamma / np.sqrt(var + 1e-5)
    np.testing.assert_allclose(w, weight * scale, rtol=1e-6)
    np.testing.assert_allclose(b, beta - mean * scale, rtol=1e-6, atol=1e-7)


# ---------------------------------------------------------------- receptive field


def brute_force_field(ops):
    """Walk the input index range of output cells 0 and 1 back through every window.

    Cell ``j`` of a layer reads cells ``j * s - before .. j * s - before + k - 1`` of the
    layer below (indices outside the map are padding).
    """
    def span(first, last):
        for kernel, stride, before in reversed(ops):
            first, last = first * stride - before, last * stride - before + kernel - 1
        return first, last

    first0, last0 = span(0, 0)
    first1, _ = span(1, 1)
    return first1 - first0, (first0 + last0) / 2, last0 - first0 + 1


@given(st.lists(st.tuples(st.integers(1, 7), st.integers(1, 3), st.integers(0, 3)),
                min_size=0, max_size=8))
def test_receptive_field_matches_brute_force(ops):
    assert L.receptive_field(ops) == brute_force_field(ops)


def test_receptive_field_of_vgg_block1():
    # conv3/1 pad 1, conv3/1 pad 1, pool2/2: stride 2, field 6, first centre at 0.5
    assert L.receptive_field([(3, 1, 1), (3, 1, 1), (2, 2, 0)]) == (2, 0.5, 6)


def test_receptive_field_matches_the_pixels_a_cell_reads():
    """A conv chain on a real map: an impulse changes exactly the cells whose field holds it."""
    rng = np.random.default_rng(8)
    chain = [(3, 2, "same"), (5, 2, "same"), (3, 1, "same")]
    weights = [rng.uniform(0.5, 1.0, (k, k, 1, 1)).astype(np.float32) for k, _, _ in chain]

    def run(x):
        for (_, stride, padding), weight in zip(chain, weights, strict=True):
            x = L.conv2d(x, weight, None, stride, padding)
        return x[0, :, :, 0]

    size = 23
    ops, n = [], size
    for k, s, _ in chain:
        before, after = L.same_padding(n, k, s)
        ops.append((k, s, before))
        n = L.conv_output_size(n, k, s, (before, after))
    jump, centre, field = L.receptive_field(ops)
    base = run(np.zeros((1, size, size, 1), np.float32))
    for pixel in (0, 7, 11, 22):
        x = np.zeros((1, size, size, 1), np.float32)
        x[0, pixel, pixel, 0] = 1.0  # positive weights: every cell that reads it changes
        changed = np.flatnonzero((run(x) != base).any(axis=1))  # rows of cells
        inside = [i for i in range(n) if abs(pixel - (centre + i * jump)) <= (field - 1) / 2]
        assert changed.tolist() == inside
