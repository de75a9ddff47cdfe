.PHONY: run test bench bench-feeds bench-ingest bench-reports format install

run:
	scripts/run-demo

test:
	scripts/test

bench:
	scripts/bench

bench-feeds:
	scripts/bench-feeds

bench-ingest:
	scripts/bench-ingest

format:
	swift format -i -r --configuration .swift-format Package.swift Sources Tests

# Installs the release binary, an example configuration and the systemd unit (run as root).
bench-reports:
	scripts/bench-reports

install:
	scripts/setup
	swift build -c release --scratch-path .build-release --product hapesira
	install -m 0755 .build-release/release/hapesira /usr/local/bin/hapesira
	# The web templates and the OpenAPI document: SwiftPM resource bundles, found next to the binary.
	for bundle in .build-release/release/*.resources; do \
		rm -rf "/usr/local/bin/$$(basename $$bundle)" && cp -R "$$bundle" /usr/local/bin/; done
	install -d -m 0755 /etc/hapesira
	[ -f /etc/hapesira/hapesira.yaml ] || install -m 0644 config/demo.yaml /etc/hapesira/hapesira.yaml
	install -m 0644 systemd/hapesira.service /etc/systemd/system/hapesira.service
