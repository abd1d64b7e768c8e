"""The published configurations of the models ``bench/gpu_check.py`` builds (and tiny ones
with the shapes of diffusers' own pipeline tests): plain data, written here so nothing is
downloaded. A test checks the full ones against the published parameter counts."""

from __future__ import annotations

CLIP_L = dict(hidden_size=768, intermediate_size=3072, num_hidden_layers=12,
              num_attention_heads=12, hidden_act="quick_gelu", projection_dim=768)  # fmt: skip
OPENCLIP_H = dict(hidden_size=1024, intermediate_size=4096, num_hidden_layers=23,
                  num_attention_heads=16, hidden_act="gelu", projection_dim=512)  # fmt: skip
OPENCLIP_BIGG = dict(hidden_size=1280, intermediate_size=5120, num_hidden_layers=32,
                     num_attention_heads=20, hidden_act="gelu", projection_dim=1280)  # fmt: skip
TINY_CLIP = dict(hidden_size=32, intermediate_size=37, num_hidden_layers=5,
                 num_attention_heads=4, projection_dim=32)  # fmt: skip
SD_UNET = dict(sample_size=64, block_out_channels=(320, 640, 1280, 1280), layers_per_block=2,
               down_block_types=("CrossAttnDownBlock2D",) * 3 + ("DownBlock2D",),
               up_block_types=("UpBlock2D",) + ("CrossAttnUpBlock2D",) * 3)  # fmt: skip
SDXL_UNET = dict(sample_size=128, block_out_channels=(320, 640, 1280), layers_per_block=2,
                 down_block_types=("DownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D"),
                 up_block_types=("CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "UpBlock2D"),
                 transformer_layers_per_block=(1, 2, 10), attention_head_dim=(5, 10, 20),
                 cross_attention_dim=2048, addition_embed_type="text_time",
                 addition_time_embed_dim=256, projection_class_embeddings_input_dim=2816,
                 use_linear_projection=True)  # fmt: skip
TINY_UNET = dict(sample_size=16, block_out_channels=(32, 64), layers_per_block=2,
                 down_block_types=("DownBlock2D", "CrossAttnDownBlock2D"),
                 up_block_types=("CrossAttnUpBlock2D", "UpBlock2D"))  # fmt: skip
TINY_SDXL_UNET = dict(TINY_UNET, attention_head_dim=(2, 4), use_linear_projection=True,
                      addition_embed_type="text_time", addition_time_embed_dim=8,
                      transformer_layers_per_block=(1, 2), cross_attention_dim=64,
                      projection_class_embeddings_input_dim=80)  # fmt: skip
SD_VAE = dict(block_out_channels=(128, 256, 512, 512), layers_per_block=2,
              down_block_types=("DownEncoderBlock2D",) * 4,
              up_block_types=("UpDecoderBlock2D",) * 4, latent_channels=4)  # fmt: skip
TINY_VAE = dict(block_out_channels=(32, 64), down_block_types=("DownEncoderBlock2D",) * 2,
                up_block_types=("UpDecoderBlock2D",) * 2, latent_channels=4)  # fmt: skip
FLUX_VAE = dict(SD_VAE, latent_channels=16, scaling_factor=0.3611, shift_factor=0.1159,
                use_quant_conv=False, use_post_quant_conv=False)  # fmt: skip
TINY_FLUX_VAE = dict(block_out_channels=(4,), layers_per_block=1, latent_channels=2,
                     norm_num_groups=1, use_quant_conv=False, use_post_quant_conv=False,
                     shift_factor=0.0609, scaling_factor=1.5035)  # fmt: skip
FLUX = dict(patch_size=1, in_channels=64, num_layers=19, num_single_layers=38,
            attention_head_dim=128, num_attention_heads=24, joint_attention_dim=4096,
            pooled_projection_dim=768, guidance_embeds=True,
            axes_dims_rope=(16, 56, 56))  # fmt: skip
TINY_FLUX = dict(patch_size=1, in_channels=8, num_layers=1, num_single_layers=1,
                 attention_head_dim=16, num_attention_heads=2, joint_attention_dim=32,
                 pooled_projection_dim=32, guidance_embeds=True,
                 axes_dims_rope=(4, 4, 8))  # fmt: skip
T5_XXL = dict(d_model=4096, d_ff=10240, d_kv=64, num_heads=64, num_layers=24,
              feed_forward_proj="gated-gelu", vocab_size=32128)  # fmt: skip
TINY_T5 = dict(d_model=32, d_ff=37, d_kv=8, num_heads=4, num_layers=2,
               feed_forward_proj="gated-gelu", vocab_size=1000)  # fmt: skip


QWEN_IMAGE = dict(patch_size=2, in_channels=64, out_channels=16, num_layers=60,
                  attention_head_dim=128, num_attention_heads=24, joint_attention_dim=3584,
                  guidance_embeds=False, axes_dims_rope=(16, 56, 56))  # fmt: skip
TINY_QWEN_IMAGE = dict(patch_size=2, in_channels=16, out_channels=4, num_layers=2,
                       attention_head_dim=16, num_attention_heads=3, joint_attention_dim=16,
                       guidance_embeds=False, axes_dims_rope=(8, 4, 4))  # fmt: skip
QWEN_VAE = dict(base_dim=96, z_dim=16, dim_mult=[1, 2, 4, 4], num_res_blocks=2, attn_scales=[],
                temperal_downsample=[False, True, True])  # fmt: skip
TINY_QWEN_VAE = dict(base_dim=24, z_dim=4, dim_mult=[1, 2, 4], num_res_blocks=1,
                     temperal_downsample=[False, True])  # fmt: skip
QWEN_VL_TEXT = dict(hidden_size=3584, intermediate_size=18944, num_hidden_layers=28,
                    num_attention_heads=28, num_key_value_heads=4, rope_theta=1000000.0,
                    vocab_size=152064, max_position_embeddings=128000,
                    rope_scaling={"type": "mrope", "rope_type": "default",
                                  "mrope_section": [16, 24, 24]})  # fmt: skip
QWEN_VL_VISION = dict(depth=32, hidden_size=1280, intermediate_size=3420, num_heads=16,
                      out_hidden_size=3584, patch_size=14, spatial_merge_size=2,
                      temporal_patch_size=2, window_size=112,
                      fullatt_block_indexes=[7, 15, 23, 31])  # fmt: skip
TINY_QWEN_VL_TEXT = dict(hidden_size=16, intermediate_size=16, num_hidden_layers=2,
                         num_attention_heads=2, num_key_value_heads=2, rope_theta=1000000.0,
                         rope_scaling={"type": "default", "rope_type": "default",
                                       "mrope_section": [1, 1, 2]})  # fmt: skip
TINY_QWEN_VL_VISION = dict(depth=2, hidden_size=16, intermediate_size=16, num_heads=2,
                           out_hidden_size=16)  # fmt: skip
QWEN_SPECIALS = ("<|endoftext|>", "<|im_start|>", "<|im_end|>", "<|vision_start|>",
                 "<|vision_end|>", "<|vision_pad|>", "<|image_pad|>", "<|video_pad|>")  # fmt: skip
