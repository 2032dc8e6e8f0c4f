# make fragment of the Open OnDemand app (included by the top-level Makefile)
.PHONY: app-test

app-test: ## the OnDemand app: render, shellcheck, sessions under a test Slurm
	timeout 900 bash ood-app/test/run.sh
