"""The offline providers: models shipped in PyPI packages, no network and no GPU.

``offline`` (``editor.OfflineImageProvider``) edits photos; ``template``
(``template_writer.TemplatePromptWriter``) writes prompts from a glossary and facts about the
photo. This module holds only their declaration, read before Django is set up: importing it
loads neither numpy nor the models.
"""

from ..declaring import Provider, ProviderSetting

PROVIDER = Provider(
    prompt_writers={"template": f"{__name__}.template_writer.TemplatePromptWriter"},
    image_providers={"offline": f"{__name__}.editor.OfflineImageProvider"},
    settings=(
        # onnxruntime's threads; 0 means the CPU count, at most 4.
        ProviderSetting(
            "AICEPS_OFFLINE_THREADS",
            0,
            doc="threads of the offline models",
            type="int",
            shown="`0` (CPU count, at most 4)",
        ),
    ),
)
