# Browser test: the rewritten client behind an OnDemand-style /rnode proxy.
# Included by the top-level Makefile.

e2e: build ## browser test: rewritten fixture clients at / and under /rnode/<host>/<port>/
	bash e2e/run.sh
