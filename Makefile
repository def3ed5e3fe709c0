# seavis_mm: two commands set everything up and run it.
#   make demo   install (into .venv if missing), generate ToyAVIS, build the
#               default config's pretrained starts (make pretrain, about 2.5
#               hours on 2 cores the first time, skipped once done), fine-tune
#               the default config (400 iterations), evaluate it, stream a
#               video to an overlay; CONFIG=configs/seavis/seavis_r18_toyavis.py
#               runs the from-scratch recipe instead, without the pretraining
#   make test   install, then run the whole pytest suite
#   make pretrain  the pretrained starts of the *_audio-visual-pretrained*
#               configs: the audio tagger and the visual pretraining chain
#               (tools/run_pretrain.sh)
# Everything installs into .venv; `make install` alone does only that.

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
DATA ?= data/toyavis
WORK ?= work_dirs/demo
DEMO_ITERS ?= 400
# the default recipe: the zoo's best row (configs/seavis/README.md)
CONFIG ?= configs/seavis/seavis_r18_toyavis_audio-visual-pretrained-large5x_train-large_tagger-prior_mask-pos.py
# the whole suite, slow end-to-end tests included (they run in CI too)
PYTEST_ARGS ?= -q

.PHONY: install demo test zoo pretrain clean-venv

$(VENV)/.installed: requirements/*.txt setup.py
	bash tools/install.sh $(VENV)
	touch $@

install: $(VENV)/.installed

demo: install
	$(PY) tools/dataset_converters/make_toyavis.py $(DATA) --train-videos 80 --val-videos 20 --seed 0 --export-mp4 1 --write-visible
	# a pretrained config's starts (tools/run_pretrain.sh skips what is done)
	case "$(CONFIG)" in *pretrained*) bash tools/run_pretrain.sh;; esac
	# trained on the config's own training set, tested on $(DATA)'s val
	$(PY) tools/train.py $(CONFIG) --work-dir $(WORK) \
	    --cfg-options train_cfg.max_iters=$(DEMO_ITERS) param_scheduler.end=$(DEMO_ITERS) \
	    "param_scheduler.milestones=[$$(( $(DEMO_ITERS) * 4 / 5 ))]" \
	    val_dataloader.dataset.data_root=$(DATA)/ test_dataloader.dataset.data_root=$(DATA)/
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
