# MSFAM fine-tuned with the detector's loss in the loop (FusionDetector, fusion/integrations/fusion_detector.py):
# pieces the tuned leaves take by name ({{_base_.tuned_...}}). The leaves read raw pairs as the early/halfway ones
# do (the derived dataset's visible/ and lwir/ folders, _base_/pair_input.py) and wrap their single-image GFLv2.
tuned_imports = dict(imports=['detection', 'fusion.integrations.fusion_detector'], allow_failed_imports=False)
# MSFAM's stage-2 loss (L1 + beta Push-Pull) without the Semantic Constraint, whose classifier is not shipped
# (alpha2 > 0 needs model.classifier_checkpoint=...).
tuned_fusion_loss = dict(type='FusionTotalLoss', alpha2=0.0, beta=2.0)
# Adam at MSFAM stage 2's rate (1e-4, decoder at half, no weight decay on the fusion network; its encoder stays
# frozen) for the whole model: under the detector's SGD (0.01 x batch / 16) the fusion network barely moves. The
# rate does not follow the batch (auto_scale_lr off).
tuned_optim_wrapper = dict(
    _delete_=True, type='OptimWrapper', optimizer=dict(type='AdamW', lr=1e-4, weight_decay=0.05),
    paramwise_cfg=dict(custom_keys={'fusion.fusions': dict(decay_mult=0.0),
                                    'fusion.decoder': dict(lr_mult=0.5, decay_mult=0.0)}),
    clip_grad=dict(max_norm=35, norm_type=2))
tuned_auto_scale_lr = dict(enable=False)
