# seavis_mm: two commands set everything up and run it.
#   make demo   install (into .venv if missing), generate ToyAVIS, train the
#               small config briefly, evaluate it, stream a video to an overlay
#   make test   install, then run the whole pytest suite
#   make pretrain  the pretrained starts of the *_audio-visual-pretrained*
#               configs: the audio tagger and the visual pretraining chain
#               (tools/run_pretrain.sh, about 2 hours on 2 cores)
# Everything installs into .venv; `make install` alone does only that.

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
DATA ?= data/toyavis
WORK ?= work_dirs/demo
DEMO_ITERS ?= 300
CONFIG ?= configs/seavis/seavis_r18_toyavis.py
# the whole suite, slow end-to-end tests included (they run in CI too)
PYTEST_ARGS ?= -q

.PHONY: install demo test zoo pretrain clean-venv

$(VENV)/.installed: requirements/*.txt setup.py
	bash tools/install.sh $(VENV)
	touch $@

install: $(VENV)/.installed

demo: install
	$(PY) tools/dataset_converters/make_toyavis.py $(DATA) --train-videos 80 --val-videos 20 --seed 0 --export-mp4 1
	$(PY) tools/train.py $(CONFIG) --work-dir $(WORK) \
	    --cfg-options train_cfg.max_iters=$(DEMO_ITERS) param_scheduler.end=$(DEMO_ITERS) \
	    "param_scheduler.milestones=[$$(( $(DEMO_ITERS) * 4 / 5 ))]" \
	    train_dataloader.dataset.data_root=$(DATA)/ val_dataloader.dataset.data_root=$(DATA)/ \
	    test_dataloader.dataset.data_root=$(DATA)/
	$(PY) tools/test.py $(CONFIG) $(WORK)/iter_$(DEMO_ITERS).pth --work-dir $(WORK) \
	    --cfg-options test_dataloader.dataset.data_root=$(DATA)/
	$(PY) demo/stream_demo.py $(DATA)/mp4/val/val_00000.mp4 $(CONFIG) $(WORK)/iter_$(DEMO_ITERS).pth \
	    --out $(WORK)/val_00000_seg.mp4 --show-timeline $(WORK)/val_00000_timeline.png --out-dir $(WORK)/val_00000
	@echo "demo done: overlay $(WORK)/val_00000_seg.mp4, timeline $(WORK)/val_00000_timeline.png, metrics above"

test: install
	$(PY) -m pytest tests $(PYTEST_ARGS)

zoo: install
	bash tools/run_zoo.sh

pretrain: install
	bash tools/run_pretrain.sh

clean-venv:
	rm -rf $(VENV)
