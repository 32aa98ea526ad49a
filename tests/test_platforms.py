"""tools/platforms.py (`make test-platforms`): its combinations cover what they promise, and its
check refuses a combination whose kernels or thread counts are not the requested ones."""

import subprocess
import sys

from tools import platforms


def check(env: dict[str, str]) -> subprocess.CompletedProcess:
    command = [sys.executable, platforms.__file__, "--check"]
    return subprocess.run(command, env=env, capture_output=True, text=True)


def test_the_combinations_cover_every_kernel_thread_count_and_torch_kernel():
    coretypes, threads, capabilities = map(set, zip(*platforms.COMBINATIONS, strict=True))
    assert coretypes == {"Haswell", "SkylakeX", "Sandybridge", "Prescott"}
    assert threads == {1, 2}
    assert capabilities == {"default", "avx2"}


def test_the_environment_sets_every_thread_variable_and_drops_the_l2_size():
    env = platforms.environment("Prescott", 2, "avx2")
    assert "OPENBLAS_L2_SIZE" not in env
    assert {env[name] for name in platforms.THREAD_VARIABLES} == {"2"}


def test_the_check_passes_on_the_requested_platform():
    run = check(platforms.environment("Sandybridge", 1, "default"))
    assert run.returncode == 0, run.stderr
    assert "kernel Sandybridge" in run.stdout and "torch kernel DEFAULT" in run.stdout


def test_the_check_fails_when_a_pool_runs_another_thread_count():
    # MKL_NUM_THREADS alone decides torch's thread count: a combination that forgot it fails.
    env = {**platforms.environment("Haswell", 1, "avx2"), "MKL_NUM_THREADS": "2"}
    run = check(env)
    assert run.returncode != 0
    assert "torch threads is 2, not 1" in run.stderr


def test_the_check_fails_when_openblas_ignores_the_requested_kernel():
    # OpenBLAS falls back to the CPU's own kernel for a name it does not know.
    run = check(platforms.environment("Pentium9", 1, "default"))
    assert run.returncode != 0
    assert "kernel is" in run.stderr and "not Pentium9" in run.stderr
