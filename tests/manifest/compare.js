#!/usr/bin/env node
// Round-trip check: the manifest decoded by the reference Cap'n Proto tool
// (`capnp convert binary:json`) must equal the CUE export it was built from,
// and carry every referenced binary byte for byte.
//
//   compare.js CUE_EXPORT.json CAPNP.json BINARY_DIR
//
// Normalisation (documented in docs/manifest.md): Cap'n Proto's JSON writes
// UInt64 as strings and always writes `badge` ("0" = unbadged), while CUE
// omits an absent badge; `interfaceId` exists only in the manifest (the id
// mkmanifest resolved the CUE `interface` name to); `binaries` exists only in the manifest, and
// `extraBinaries` only in the CUE export (its names are in `binaries`); a
// cap's `device` carries all of bar/msix/bytes in the manifest (0 when
// not given, `bytes` as a string), only the given ones in the CUE export;
// a service's `quota` likewise (all four fields, 0 when not given).
'use strict';
const fs = require('fs');
const path = require('path');

const [cueFile, capnpFile, binDir] = process.argv.slice(2);
if (!binDir) {
	process.stderr.write('usage: compare.js CUE_EXPORT.json CAPNP.json BINARY_DIR\n');
	process.exit(2);
}
const cue = JSON.parse(fs.readFileSync(cueFile, 'utf8'));
const mf = JSON.parse(fs.readFileSync(capnpFile, 'utf8'));

function fail(msg) {
	process.stderr.write(`compare: ${msg}\n`);
	process.exit(1);
}

// Binaries: exactly those referenced (init first, then services, then
// extraBinaries, first use order), each equal to the file it came from.
const want = [];
for (const b of [cue.initConfig.init.binary, ...(cue.initConfig.services || []).map((s) => s.binary),
	...(cue.extraBinaries || [])])
	if (!want.includes(b)) want.push(b);
delete cue.extraBinaries;
const got = (mf.binaries || []).map((b) => b.name);
if (JSON.stringify(got) !== JSON.stringify(want))
	fail(`binaries ${JSON.stringify(got)} != referenced ${JSON.stringify(want)}`);
for (const b of mf.binaries) {
	const file = [path.join(binDir, b.name + '.elf'), path.join(binDir, b.name)].find((f) => fs.existsSync(f));
	const bytes = fs.readFileSync(file);
	if (!Buffer.from(b.data).equals(bytes)) fail(`binary ${b.name}: data differs from ${file}`);
}
delete mf.binaries;

function normCaps(caps) {
	for (const c of caps || []) {
		if (c.badge === '0' || c.badge === 0) delete c.badge;
		else if (c.badge !== undefined) c.badge = String(c.badge);
		// interfaceId exists only in the manifest: mkmanifest resolved the
		// CUE `interface` name to it, so it is set exactly when a name is.
		if (c.interfaceId !== undefined) {
			const set = c.interfaceId !== '0' && c.interfaceId !== 0;
			if (set !== (c.interface !== undefined))
				fail(`cap ${c.name}: interfaceId ${c.interfaceId} with interface ${c.interface}`);
			delete c.interfaceId;
		}
	}
}
// A service's quota: the manifest writes all four fields (0 = the
// kernel's default) when any is given, the CUE export only the given ones.
function normQuota(s) {
	if (!s.quota) return;
	for (const k of Object.keys(s.quota)) if (s.quota[k] === 0) delete s.quota[k];
	if (Object.keys(s.quota).length === 0) delete s.quota;
}
for (const doc of [cue, mf]) {
	normCaps(doc.initConfig.init.caps);
	for (const s of doc.initConfig.services || []) {
		normCaps(s.caps);
		normQuota(s);
	}
}

function diff(a, b, where) {
	if (typeof a !== typeof b || Array.isArray(a) !== Array.isArray(b) || (a === null) !== (b === null))
		return `${where}: ${JSON.stringify(a)} (CUE) vs ${JSON.stringify(b)} (manifest)`;
	if (Array.isArray(a)) {
		if (a.length !== b.length) return `${where}: length ${a.length} (CUE) vs ${b.length} (manifest)`;
		for (let i = 0; i < a.length; i++) {
			const d = diff(a[i], b[i], `${where}[${i}]`);
			if (d) return d;
		}
		return null;
	}
	if (a && typeof a === 'object') {
		const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
		for (const k of keys) {
			if (!(k in a)) return `${where}.${k}: only in the manifest`;
			if (!(k in b)) return `${where}.${k}: only in the CUE export`;
			const d = diff(a[k], b[k], `${where}.${k}`);
			if (d) return d;
		}
		return null;
	}
	return a === b ? null : `${where}: ${JSON.stringify(a)} (CUE) vs ${JSON.stringify(b)} (manifest)`;
}
// A cap's `device` (DeviceRef): Cap'n Proto's JSON writes every field,
// CUE only those given; a part not named in the CUE must be 0.
function normDevices(cueCaps, mfCaps) {
	(mfCaps || []).forEach((c, i) => {
		const want = ((cueCaps || [])[i] || {}).device || {};
		for (const k of ['bar', 'msix', 'bytes'])
			if (c.device && !(k in want) && (c.device[k] === 0 || c.device[k] === '0')) delete c.device[k];
		/* UInt64 comes as a string from Cap'n Proto's JSON */
		if (c.device && typeof c.device.bytes === 'string' && typeof want.bytes === 'number')
			c.device.bytes = Number(c.device.bytes);
	});
}
normDevices(cue.initConfig.init.caps, mf.initConfig.init.caps);
(mf.initConfig.services || []).forEach((s, i) => normDevices(((cue.initConfig.services || [])[i] || {}).caps, s.caps));
const d = diff(cue, mf, 'system');
if (d) fail(d);
process.stdout.write(`compare: equal (${want.length} binaries)\n`);
