"""Presets for the Korean LLMs korag is meant for: context length, prompt format, stop words, licence.

A preset is found from the served model's name (or `KORAG_LLM_PRESET` when vLLM serves it under an
alias). Unknown models use the server's own chat template and the context length vLLM reports.
Licences are from the models' cards; "commercial" is what the licence allows without a separate deal.
"""
from __future__ import annotations

from dataclasses import dataclass

PromptFormat = str  # "chat" (server-side chat template) or "completion" (our template, /v1/completions)


@dataclass(frozen=True)
class ModelPreset:
    """What korag needs to know about one model family."""

    name: str
    match: tuple[str, ...]  # lower-case substrings of the model id; the first preset that matches wins
    context_length: int
    licence: str
    commercial: bool
    format: PromptFormat = "chat"
    # completion-style models: {system} is the instructions, {prompt} the user turn; history turns are
    # rendered with `turn` and joined before the last one.
    template: str = ""
    turn: str = ""
    stop: tuple[str, ...] = ()

    def render(self, system: str, turns: list[tuple[str, str]]) -> str:
        """A completion prompt: the instructions, earlier turns, the last user turn, the bot's cue."""
        *earlier, (_, last) = turns
        history = "".join(self.turn.format(user=u, bot=b) for u, b in _pairs(earlier))
        return self.template.format(system=system, history=history, prompt=last)

    @property
    def licence_notice(self) -> str | None:
        if self.commercial:
            return None
        return f"비상업 라이선스 모델입니다({self.licence}): 상업적 이용에는 별도 허가가 필요합니다."


def _pairs(turns: list[tuple[str, str]]) -> list[tuple[str, str]]:
    pairs, user = [], None
    for role, text in turns:
        if role == "user":
            user = text
        elif user is not None:
            pairs.append((user, text))
            user = None
    return pairs


PRESETS: tuple[ModelPreset, ...] = (
    # NCSOFT VARCO LLM 2.0 (served to companies by NCSOFT / AWS Marketplace): 4k context, chat template.
    ModelPreset("varco-llm-2", ("varco-llm", "varco_llm"), 4096, "NCSOFT VARCO LLM 2.0 commercial licence", True),
    # NCSOFT Llama-VARCO-8B-Instruct: Llama 3.1 based.
    ModelPreset("llama-varco", ("llama-varco",), 131072, "Llama 3.1 Community License", True),
    # 42dot LLM-SFT: trained on "<human>: … <bot>:" turns with its own system line; no chat template.
    ModelPreset("42dot-llm-sft", ("42dot",), 4096, "CC BY-NC 4.0", False, format="completion",
                template="{system}\n{history}<human>: {prompt}\n<bot>:",
                turn="<human>: {user}\n<bot>: {bot}\n", stop=("<human>:", "\n<human>")),
    # KoAlpaca (Polyglot-ko based): "### 질문: … ### 답변:".
    ModelPreset("koalpaca", ("koalpaca",), 2048, "Apache-2.0", True, format="completion",
                template="{system}\n\n{history}### 질문: {prompt}\n\n### 답변:",
                turn="### 질문: {user}\n\n### 답변: {bot}\n\n", stop=("### 질문:", "###")),
    # Polyglot-ko base models: plain continuation, so the prompt ends where the answer begins.
    ModelPreset("polyglot-ko", ("polyglot-ko",), 2048, "Apache-2.0", True, format="completion",
                template="{system}\n\n{history}질문: {prompt}\n답변:", turn="질문: {user}\n답변: {bot}\n\n",
                stop=("\n질문:", "\n\n\n")),
    # Llama K (Korean Llama 3.1 fine-tunes, e.g. Bllossom) and Meta Llama 3.1/3.2/3.3: 128k context.
    ModelPreset("llama-k", ("bllossom", "llama-k", "llama_k"), 131072, "Llama 3.1 Community License", True),
    ModelPreset("llama-3.1", ("llama-3.1", "llama-3.2", "llama-3.3", "llama3.1"), 131072,
                "Llama 3.x Community License", True),
    # LG AI Research EXAONE 3.5 / 4.0: 32k context; the EXAONE licence forbids commercial use.
    ModelPreset("exaone", ("exaone",), 32768, "EXAONE AI Model License 1.1 - NC", False),
    # Kakao kanana 1.5 is Apache-2.0; kanana 1.0 was CC BY-NC 4.0.
    ModelPreset("kanana-1.5", ("kanana-1.5",), 32768, "Apache-2.0", True),
    ModelPreset("kanana", ("kanana",), 8192, "CC BY-NC 4.0", False),
    # Qwen 2.5 / 3 (most sizes Apache-2.0; Qwen2.5-3B and -72B carry the Qwen licence instead).
    ModelPreset("qwen", ("qwen",), 32768, "Apache-2.0 (most sizes)", True),
)


def find_preset(model: str | None, override: str | None = None) -> ModelPreset | None:
    """The preset named by `override`, else the first whose pattern is in the model id; None if unknown."""
    if override:
        for preset in PRESETS:
            if preset.name == override.lower():
                return preset
        names = ", ".join(p.name for p in PRESETS)
        raise ValueError(f"unknown LLM preset {override!r}; known presets: {names}")
    key = (model or "").lower()
    return next((p for p in PRESETS if any(m in key for m in p.match)), None)
