"""`make test-platforms`: re-run nbval over the notebooks as if on other CPUs and thread counts.

OpenBLAS (numpy's and scipy's matrix products) and PyTorch choose their kernels by the CPU they
find, and split work over threads; another kernel or thread count adds the same numbers in
another order, which changes the last bits of a float. One machine can run other CPUs' kernels:
OPENBLAS_CORETYPE forces OpenBLAS's (Prescott: SSE3, Sandybridge: AVX, Haswell: AVX2,
SkylakeX: AVX-512) and ATEN_CPU_CAPABILITY PyTorch's (default: no vector extensions, avx2).
A stored output that passes under every combination below does not depend on them.

Before each run, a fresh interpreter in that environment calls helpers.setup_notebook() as a
notebook does and asks threadpoolctl and torch which kernels and thread counts are in use; if
they are not the requested ones, that combination fails without running the notebooks.

    python tools/platforms.py [notebook or folder ...]     (default: notebooks/)
"""

import os
import subprocess
import sys

# (OPENBLAS_CORETYPE, threads, ATEN_CPU_CAPABILITY): every kernel, both thread counts and both
# torch kernels, each thread count and torch kernel three times.
COMBINATIONS = [
    ("Haswell", 1, "default"),
    ("Haswell", 2, "avx2"),
    ("SkylakeX", 2, "default"),
    ("SkylakeX", 1, "avx2"),
    ("Sandybridge", 2, "default"),
    ("Prescott", 1, "avx2"),
]
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
# OpenBLAS builds without its oldest kernels report Prescott's kernel under an alias, the name
# of the first CPU that shares it.
KERNEL_NAMES = {"Prescott": ["Prescott", "Katmai"]}
NBVAL = ["--nbval", "--nbval-current-env", "--nbval-sanitize-with", "tests/nbval_sanitize.cfg"]


def environment(coretype: str, threads: int, capability: str) -> dict[str, str]:
    """This process's environment with the combination's variables; OPENBLAS_L2_SIZE (set by
    some hosts, e.g. this project's) is removed, as another machine would not set it."""
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_L2_SIZE"}
    env.update(dict.fromkeys(THREAD_VARIABLES, str(threads)))
    env.update(OPENBLAS_CORETYPE=coretype, ATEN_CPU_CAPABILITY=capability, PYTHONHASHSEED="0")
    return env


def check() -> None:
    """Run inside a combination's environment: exit with a message unless the kernels and
    thread counts in use after setup_notebook() are the requested ones."""
    import scipy.linalg  # noqa: F401  (loads scipy's OpenBLAS)
    import sklearn.linear_model  # noqa: F401  (loads scikit-learn's OpenMP)
    import torch
    from threadpoolctl import threadpool_info

    import helpers

    helpers.setup_notebook()
    threads = int(os.environ["OMP_NUM_THREADS"])
    coretype, capability = os.environ["OPENBLAS_CORETYPE"], os.environ["ATEN_CPU_CAPABILITY"]
    readings = [  # (what, in use, what was requested: the accepted names or counts)
        ("torch kernel", torch.backends.cpu.get_cpu_capability(), [capability]),
        ("torch threads", torch.get_num_threads(), [threads]),
    ]
    pools = threadpool_info()
    if not any(pool["internal_api"] == "openblas" for pool in pools):
        sys.exit("threadpoolctl finds no OpenBLAS, so cannot check its kernel (it needs >= 3.5)")
    for pool in pools:
        name = os.path.basename(pool["filepath"])
        readings.append((f"{name} threads", pool["num_threads"], [threads]))
        if pool["internal_api"] == "openblas":
            kernels = KERNEL_NAMES.get(coretype, [coretype])
            readings.append((f"{name} kernel", pool["architecture"], kernels))
    print("in use: " + ", ".join(f"{what} {value}" for what, value, _ in readings))
    wrong = [
        f"{what} is {value}, not {wanted[0]}"
        for what, value, wanted in readings
        if str(value).lower() not in [str(w).lower() for w in wanted]
    ]
    if wrong:
        sys.exit("not the requested platform: " + "; ".join(wrong))


def main(paths: list[str]) -> int:
    failed = []
    for combination in COMBINATIONS:
        coretype, threads, capability = combination
        title = f"OPENBLAS_CORETYPE={coretype} threads={threads} ATEN_CPU_CAPABILITY={capability}"
        print(f"\n=== {title}", flush=True)
        env = environment(*combination)
        code = subprocess.run([sys.executable, __file__, "--check"], env=env).returncode
        if code == 0:
            workers = str(max(1, (os.cpu_count() or 1) // threads))  # no more threads than cores
            pytest = [sys.executable, "-m", "pytest", "-n", workers, "--dist", "loadfile"]
            code = subprocess.run(pytest + NBVAL + (paths or ["notebooks"]), env=env).returncode
        if code != 0:
            failed.append((title, code))
    print(f"\n{len(COMBINATIONS) - len(failed)} of {len(COMBINATIONS)} platforms passed")
    for title, code in failed:
        print(f"FAILED (exit {code}): {title}")
    return failed[0][1] if failed else 0


if __name__ == "__main__":
    if sys.argv[1:] == ["--check"]:
        check()
    else:
        sys.exit(main(sys.argv[1:]))
