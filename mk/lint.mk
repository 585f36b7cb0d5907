# make lint: ShellCheck on every shell script, checkpatch.pl --strict on
# kernel-patch's C (scripts/lint.sh says what and how). make check runs it
# through tests/run-tests.sh like a test binary (one TAP line per file);
# LINT_CHECK=0 leaves it out. LINUX_TREE: the kernel tree whose
# checkpatch.pl is used (default: kernel-patch's cached tree-7.2).
LINT_CHECK ?= 1
CHECK_EXTRA_BINS += $(if $(filter 1,$(LINT_CHECK)),scripts/lint.sh)

.PHONY: lint
lint:
	$(Q)scripts/lint.sh --tap=$(OUT)/lint.tap; rc=$$?; \
		echo "lint: $$(grep -c '^ok ' $(OUT)/lint.tap) ok ($$(grep -c '# SKIP' $(OUT)/lint.tap) skipped), $$(grep -c '^not ok' $(OUT)/lint.tap) not ok"; \
		exit $$rc
