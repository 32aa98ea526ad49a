"""Input checks shared by every helper: clear errors at the public edge, never deep in numpy.

Messages name what was expected (shape, dtype) and what arrived, in a learner's words.
"""

from collections.abc import Sequence

import numpy as np
import torch


def describe_shape(shape: Sequence[int]) -> str:
    return str(tuple(int(s) for s in shape))


def as_tensor(value, name: str, ndim: int | tuple[int, ...], shape_hint: str) -> torch.Tensor:
    """Return `value` (tensor, array or nested list) as a floating torch tensor, checked.

    `ndim`: the allowed number(s) of dimensions; `shape_hint`: the expected shape in words,
    e.g. "(n, d)", quoted in every error. Raises TypeError for non-numeric, integer or boolean
    input, ValueError for a wrong rank, an empty dimension or NaN/infinite entries.
    """
    allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
    if isinstance(value, torch.Tensor):
        tensor = value
    else:
        try:
            array = np.asarray(value)
        except ValueError as err:  # ragged nested lists
            raise ValueError(
                f"{name} must be a rectangular array of shape {shape_hint}: {err}"
            ) from None
        if array.dtype == object or array.dtype.kind in "USV":
            raise TypeError(
                f"{name} must hold numbers (a float tensor of shape {shape_hint}), "
                f"got {type(value).__name__} of {array.dtype}"
            )
        tensor = torch.from_numpy(array) if array.dtype.kind == "f" else torch.as_tensor(array)
    if tensor.dtype == torch.bool or not (tensor.is_floating_point() or tensor.is_complex()):
        raise TypeError(
            f"{name} must be a float tensor of shape {shape_hint}, got dtype "
            f"{tensor.dtype}; convert it first, e.g. x.float()"
        )
    if tensor.is_complex():
        raise TypeError(
            f"{name} must be a real float tensor of shape {shape_hint}, got dtype {tensor.dtype}"
        )
    if tensor.dim() not in allowed:
        raise ValueError(
            f"{name} must have shape {shape_hint} ({_ranks(allowed)}), got shape "
            f"{describe_shape(tensor.shape)} with {tensor.dim()} dimension(s)"
        )
    if tensor.numel() == 0:
        raise ValueError(
            f"{name} must not be empty: expected shape {shape_hint}, got "
            f"{describe_shape(tensor.shape)}"
        )
    # The extremes are finite only if every entry is (NaN propagates through amax and amin):
    # two light reductions instead of isfinite's full boolean copy of the tensor.
    if not (torch.isfinite(tensor.amax()) and torch.isfinite(tensor.amin())):
        raise ValueError(f"{name} contains NaN or infinite values; every entry must be finite")
    return tensor


def as_array(
    value, name: str, ndim: int | tuple[int, ...], shape_hint: str, allow_int: bool = False
) -> np.ndarray:
    """Return `value` as a float64 numpy array, checked like `as_tensor`.

    With `allow_int`, integer input (counts, ratings) is accepted and converted to float.
    """
    allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
    if isinstance(value, torch.Tensor):
        value = value.detach().cpu().numpy()
    try:
        array = np.asarray(value)
    except ValueError as err:
        raise ValueError(
            f"{name} must be a rectangular array of shape {shape_hint}: {err}"
        ) from None
    kind = array.dtype.kind
    if kind == "b" or kind not in ("fiu" if allow_int else "f"):
        wanted = "numbers (int or float)" if allow_int else "floats"
        raise TypeError(
            f"{name} must hold {wanted} with shape {shape_hint}, got dtype {array.dtype}"
        )
    if array.ndim not in allowed:
        raise ValueError(
            f"{name} must have shape {shape_hint} ({_ranks(allowed)}), got shape "
            f"{describe_shape(array.shape)}"
        )
    if array.size == 0:
        raise ValueError(
            f"{name} must not be empty: expected shape {shape_hint}, got "
            f"{describe_shape(array.shape)}"
        )
    array = array.astype(np.float64)
    if not np.isfinite(array).all():
        raise ValueError(f"{name} contains NaN or infinite values; every entry must be finite")
    return array


def positive_number(value, name: str) -> float:
    """Return `value` as a float after checking that it is a finite number greater than 0."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a positive number, got {type(value).__name__}")
    if not np.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a finite number greater than 0, got {value}")
    return float(value)


def positive_int(value, name: str) -> int:
    """`value` (a Python, numpy or 0-d torch integer) as an int, checked to be at least 1."""
    value = scalar(value)
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be a whole number of at least 1, got {type(value).__name__}")
    if value < 1:
        raise ValueError(f"{name} must be at least 1, got {value}")
    return int(value)


def scalar(value):
    """A 0-d torch tensor or numpy array as the Python number it holds; anything else as is."""
    if isinstance(value, torch.Tensor) and value.dim() == 0:
        return value.item()
    if isinstance(value, np.ndarray) and value.ndim == 0:
        return value[()]
    return value


def seed(value, name: str = "seed") -> int:
    """`value` (a Python, numpy or 0-d torch integer) as an int of at least 0, the seeds numpy's
    and torch's generators take; TypeError for anything but a whole number, ValueError below 0."""
    value = scalar(value)
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be a whole number of at least 0, got {type(value).__name__}")
    if value < 0:
        raise ValueError(
            f"{name} must be a whole number of at least 0 (generators take 0 or more), got {value}"
        )
    return int(value)


def _ranks(allowed: tuple[int, ...]) -> str:
    words = " or ".join(str(n) for n in allowed)
    return f"{words} dimension{'s' if allowed != (1,) else ''}"
