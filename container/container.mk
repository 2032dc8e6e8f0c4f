# Container image targets, included by the top-level Makefile. The work is
# done by scripts in container/; see container/README.md.

CRYOSPARC_MASTER  ?=
CRYOSPARC_WORKER  ?=
CRYOSPARC_VERSION ?=
IMAGE             ?=
CLIENT_DIR        ?= target/container/client

.PHONY: image client client-diff container-test

image: ## build the image: make image CRYOSPARC_MASTER=<tar.gz> CRYOSPARC_WORKER=<tar.gz>
	CARGO="$(CARGO)" bash container/make-image.sh \
	  --master "$(CRYOSPARC_MASTER)" --worker "$(CRYOSPARC_WORKER)" \
	  $(if $(IMAGE),--out "$(IMAGE)") $(if $(CRYOSPARC_VERSION),--version "$(CRYOSPARC_VERSION)")

client: ## rewrite only the web client for review: make client CRYOSPARC_MASTER=<tar.gz>
	@if [ -z "$(CRYOSPARC_MASTER)" ]; then \
	  echo "make client: give the tarball: make client CRYOSPARC_MASTER=path/to/cryosparc_master.tar.gz" >&2; \
	  exit 2; fi
	$(MAKE) --no-print-directory build
	bash container/make-client.sh --master "$(CRYOSPARC_MASTER)" --out "$(CLIENT_DIR)" --bin "$(BIN)"

client-diff: ## show what `make client` changed against the original client
	bash container/client-diff.sh "$(CLIENT_DIR)"

container-test: ## test the image build steps without Apptainer (container/test/run.sh)
	bash container/test/run.sh
