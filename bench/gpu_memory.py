"""GPU memory of the compose layouts (deploy/*.env), computed from the models' shapes: does each fit?

    python bench/gpu_memory.py

Computed, not measured: no GPU and no model weights on the machines korag is developed on. For each
vLLM server: its budget is `--gpu-memory-utilization` × the card's memory (vLLM's own rule: one
instance may use that fraction of the whole card, and refuses to start when less than that is free).
Out of the budget come the weights (parameters × bytes each), a fixed allowance for activations,
the CUDA context and CUDA graphs, and what is left holds the KV cache. vLLM refuses to start when the
KV cache cannot hold one sequence of `--max-model-len` tokens; the table shows how many it holds.
The shapes come from the models' config.json files; the allowances are round figures, so a layout
must leave a margin (≥ 1 sequence of KV, ≤ 0.92 of a card for all servers together).
tests/test_compose.py checks that deploy/*.env hold exactly these layouts and that each one fits.
"""
from __future__ import annotations

from dataclasses import dataclass

GIB = 1024 ** 3


@dataclass(frozen=True)
class ModelShape:
    """What a served model costs: weight bytes and KV-cache bytes per token."""

    name: str
    weight_bytes: float
    layers: int
    kv_heads: int
    head_dim: int
    overhead_gib: float  # activations at profiling, CUDA context, CUDA graphs (round figure)

    @property
    def kv_bytes_per_token(self) -> int:
        return 2 * self.layers * self.kv_heads * self.head_dim * 2  # K and V, bf16


# Llama-3.1-8B shape (Llama-VARCO-8B-Instruct): 8.03 B parameters, of which 1.05 B are the input
# embedding and the untied lm_head (128,256 × 4,096 each); 32 layers, 8 KV heads of 128.
LLAMA_VARCO_8B = ModelShape("Llama-VARCO-8B-Instruct, bf16", 8.03e9 * 2, 32, 8, 128, 2.0)
# An FP8 checkpoint of it (llm-compressor FP8_DYNAMIC: linear layers in 8 bits, embedding and
# lm_head kept in bf16). vLLM reads the quantization from the checkpoint's config.json.
LLAMA_VARCO_8B_FP8 = ModelShape("Llama-VARCO-8B-Instruct, FP8", 6.98e9 * 1 + 1.05e9 * 2, 32, 8, 128, 2.0)
# VARCO-VISION-2.0-1.7B(-OCR): Qwen3-1.7B (28 layers, 8 KV heads of 128, tied embeddings) and the
# SigLIP2 so400m vision tower: ≈ 2.16 B parameters in bf16. Its allowance covers the vision encoder's
# profiling pass over the largest image vLLM assumes.
VARCO_VISION_17B = ModelShape("VARCO-VISION-2.0-1.7B-OCR, bf16", 2.16e9 * 2, 28, 8, 128, 1.5)


@dataclass(frozen=True)
class Server:
    """One vLLM server of a layout: which model, which card, what share, what context."""

    model: ModelShape
    gpu: int
    share: float  # --gpu-memory-utilization
    max_len: int  # --max-model-len

    def kv_gib(self, card_gib: float) -> float:
        return self.share * card_gib - self.model.weight_bytes / GIB - self.model.overhead_gib

    def sequences(self, card_gib: float) -> float:
        """Full-length sequences the KV cache holds (vLLM needs ≥ 1 to start)."""
        return self.kv_gib(card_gib) * GIB / self.model.kv_bytes_per_token / self.max_len


@dataclass(frozen=True)
class Layout:
    """A deploy/<name>.env: the cards (GiB that CUDA reports for the smallest card of the class) and servers."""

    name: str
    card_gib: float
    llm: Server
    vision: Server
    cards: int = 1

    def used(self, gpu: int) -> float:
        """Share of card `gpu` the vLLM servers may take."""
        return sum(s.share for s in (self.llm, self.vision) if s.gpu == gpu)

    def env(self) -> dict[str, str]:
        """The compose variables of deploy/<name>.env that this layout sets."""
        return {"LLM_GPU": str(self.llm.gpu), "LLM_GPU_MEMORY": f"{self.llm.share:.2f}",
                "LLM_MAX_MODEL_LEN": str(self.llm.max_len), "VISION_GPU": str(self.vision.gpu),
                "VISION_GPU_MEMORY": f"{self.vision.share:.2f}", "VISION_MAX_MODEL_LEN": str(self.vision.max_len)}


# 24 GB class: L4 and A10 report 22.5 GiB (RTX 4090: 24.0). The bf16 8B model alone needs
# 15 GiB of weights + 2 GiB: with vision beside it on one card, the LLM is an FP8 checkpoint.
# 80 GB class: H100 80GB reports 79.6 GiB. The 0.15 left over holds a GPU embedding worker
# (KURE-v1 in fp32 ≈ 2.3 GB of weights + a batch of activations).
LAYOUTS = [
    Layout("gpu-24gb", 22.5, Server(LLAMA_VARCO_8B_FP8, 0, 0.58, 8192), Server(VARCO_VISION_17B, 0, 0.34, 16384)),
    Layout("gpu-80gb", 79.6, Server(LLAMA_VARCO_8B, 0, 0.65, 32768), Server(VARCO_VISION_17B, 0, 0.20, 16384)),
    Layout("gpu-2x24gb", 22.5, Server(LLAMA_VARCO_8B, 0, 0.90, 8192), Server(VARCO_VISION_17B, 1, 0.60, 16384),
           cards=2),
]
MAX_CARD_SHARE = 0.92  # what is left is the second server's CUDA context, CUDA graphs and fragmentation


def problems(layout: Layout) -> list[str]:
    """Why `layout` would not start, or an empty list."""
    found = []
    for role, server in (("llm", layout.llm), ("vision", layout.vision)):
        if server.sequences(layout.card_gib) < 1:
            found.append(f"{layout.name}: {role}'s KV cache holds {server.sequences(layout.card_gib):.2f} "
                         f"sequences of {server.max_len} tokens (vLLM needs 1)")
    for gpu in range(layout.cards):
        if layout.used(gpu) > MAX_CARD_SHARE:
            found.append(f"{layout.name}: GPU {gpu} is {layout.used(gpu):.2f} taken (at most {MAX_CARD_SHARE})")
    return found


def main() -> None:
    print("| layout | card | server | model | share | budget GiB | weights GiB | KV GiB | context | sequences |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for layout in LAYOUTS:
        for role, s in (("llm", layout.llm), ("vision", layout.vision)):
            print(f"| {layout.name} | GPU {s.gpu}, {layout.card_gib} GiB | {role} | {s.model.name} | {s.share:.2f} | "
                  f"{s.share * layout.card_gib:.1f} | {s.model.weight_bytes / GIB:.1f} | "
                  f"{s.kv_gib(layout.card_gib):.1f} | {s.max_len} | {s.sequences(layout.card_gib):.1f} |")
    for layout in LAYOUTS:
        print(f"{layout.name}: " + ("; ".join(problems(layout)) or "fits; cards "
              + ", ".join(f"GPU {g} {layout.used(g):.2f}" for g in range(layout.cards))))


if __name__ == "__main__":
    main()
