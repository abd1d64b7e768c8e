import pytest

from catalogue.providers.base import (
    Capabilities,
    GeneratedImage,
    ImageProvider,
    ImageResult,
    InputImage,
    PromptResult,
    PromptWriter,
    ProviderError,
)
from generation.pipeline import Pipeline, PipelineInput, RetryPolicy

PHOTO = InputImage(data=b"input-bytes", mime_type="image/png", width=4, height=4)


class ScriptedWriter(PromptWriter):
    name = "scripted-writer"

    def __init__(self, *outcomes):
        self.outcomes = list(outcomes)
        self.requests = []

    def write(self, request):
        self.requests.append(request)
        outcome = self.outcomes.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        return PromptResult(prompt=outcome, model="w-1", tokens_used=5)


class ScriptedProvider(ImageProvider):
    name = "scripted-provider"
    capabilities = Capabilities(edit=True, text_to_image=False, max_input_images=2)

    def __init__(self, *outcomes):
        self.outcomes = list(outcomes)
        self.requests = []

    def generate(self, request):
        self.requests.append(request)
        outcome = self.outcomes.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome


def result(data=b"new-image", text=""):
    images = (GeneratedImage(data, "image/png"),) if data else ()
    return ImageResult(images=images, model="p-1", tokens_used=2, text=text)


def make(writer, provider, sleeps):
    return Pipeline(
        prompt_writer=writer,
        image_provider=provider,
        retry=RetryPolicy(max_attempts=3, backoff_seconds=1.0, max_backoff_seconds=10.0),
        sleep=sleeps.append,
    )


def test_two_stages_record_provider_model_tokens_and_stages():
    sleeps, stages = [], []
    writer, provider = ScriptedWriter("A detailed prompt"), ScriptedProvider(result())
    out = make(writer, provider, sleeps).run(
        PipelineInput(instruction="黑白", images=(PHOTO,)), on_stage=stages.append
    )
    assert provider.requests[0].prompt == "A detailed prompt"
    assert provider.requests[0].instruction == "黑白"
    assert out.image.images[0].data == b"new-image"
    assert (out.prompt_stage.provider, out.prompt_stage.model, out.prompt_stage.tokens) == (
        "scripted-writer",
        "w-1",
        5,
    )
    assert (out.image_stage.model, out.image_stage.attempts) == ("p-1", 1)
    assert stages == ["writing_prompt", "generating_image"]
    assert sleeps == []


def test_transient_errors_retry_with_backoff_honouring_retry_after():
    sleeps = []
    writer = ScriptedWriter(ProviderError("busy", retry_after=4.0), "prompt")
    provider = ScriptedProvider(ProviderError("500"), ProviderError("500"), result())
    out = make(writer, provider, sleeps).run(PipelineInput(instruction="x", images=(PHOTO,)))
    assert sleeps == [4.0, 1.0, 2.0]
    assert (out.prompt_stage.attempts, out.image_stage.attempts) == (2, 3)


def test_retry_after_is_capped():
    sleeps = []
    writer = ScriptedWriter(ProviderError("busy", retry_after=600), "prompt")
    make(writer, ScriptedProvider(result()), sleeps).run(
        PipelineInput(instruction="x", images=(PHOTO,))
    )
    assert sleeps == [10.0]


def test_gives_up_after_max_attempts():
    sleeps = []
    provider = ScriptedProvider(*(ProviderError("500", code="server_error") for _ in range(3)))
    with pytest.raises(ProviderError) as caught:
        make(ScriptedWriter("p"), provider, sleeps).run(
            PipelineInput(instruction="x", images=(PHOTO,))
        )
    assert caught.value.code == "server_error"
    assert len(provider.requests) == 3


def test_permanent_errors_fail_fast():
    sleeps = []
    provider = ScriptedProvider(ProviderError("bad key", permanent=True, code="auth"))
    with pytest.raises(ProviderError):
        make(ScriptedWriter("p"), provider, sleeps).run(
            PipelineInput(instruction="x", images=(PHOTO,))
        )
    assert len(provider.requests) == 1 and sleeps == []


@pytest.mark.parametrize(
    ("answer", "code"),
    [
        (result(data=None, text="I cannot"), "no_image"),
        (result(data=b"input-bytes"), "unchanged_image"),
    ],
)
def test_no_image_or_the_input_unchanged_is_a_failure(answer, code):
    with pytest.raises(ProviderError) as caught:
        make(ScriptedWriter("p"), ScriptedProvider(answer), []).run(
            PipelineInput(instruction="x", images=(PHOTO,))
        )
    assert caught.value.code == code
    assert caught.value.permanent


def test_unexpected_exceptions_become_permanent_internal_errors():
    provider = ScriptedProvider(KeyError("boom"))
    with pytest.raises(ProviderError) as caught:
        make(ScriptedWriter("p"), provider, []).run(PipelineInput(instruction="x", images=(PHOTO,)))
    assert caught.value.code == "internal_error" and caught.value.permanent


def test_cached_prompt_skips_stage_one():
    writer = ScriptedWriter()
    out = make(writer, ScriptedProvider(result()), []).run(
        PipelineInput(instruction="x", images=(PHOTO,)),
        cached_prompt=PromptResult(prompt="cached prompt", model="w-1"),
    )
    assert writer.requests == []
    assert out.prompt_stage.cached and out.prompt.prompt == "cached prompt"


def test_empty_prompt_is_an_error():
    with pytest.raises(ProviderError) as caught:
        make(ScriptedWriter("  "), ScriptedProvider(result()), []).run(
            PipelineInput(instruction="x", images=(PHOTO,))
        )
    assert caught.value.code == "empty_prompt"
