# SpiD Helpdesk — the two commands: `make run` (demo) and `make test`.
.PHONY: run test lint install stop clean bench load cluster

run:            ## serve the demo on http://localhost:8069
	bash scripts/run.sh

test:           ## lint + fresh database + every test (pytest-odoo)
	bash scripts/test.sh $(ARGS)

bench:          ## SpiD vs OCA's helpdesk_mgmt, one run (BENCH_SCALE=0.01 for a quick one)
	bash bench/bench.sh

load:           ## the demo under --workers=2 with 20 customers and 10 agents for 60 s
	bash bench/load.sh

cluster:        ## two Odoo servers behind nginx, then one, then with a read replica (bench/cluster.sh)
	bash bench/cluster.sh

lint:           ## ruff and pylint-odoo only
	bash scripts/install_odoo.sh && bash scripts/lint.sh

install:        ## Odoo 18 and the Python requirements only
	bash scripts/install_odoo.sh

stop:           ## stop the demo server, its mail catcher and the private PostgreSQL
	-@[ -f .local/odoo.pid ] && kill $$(cat .local/odoo.pid) 2>/dev/null; rm -f .local/odoo.pid
	-@[ -f .local/mailcatcher.pid ] && kill $$(cat .local/mailcatcher.pid) 2>/dev/null; rm -f .local/mailcatcher.pid
	bash scripts/pg.sh stop

clean: stop     ## remove the local cluster, filestore and logs (keeps Odoo's install)
	rm -rf .local
