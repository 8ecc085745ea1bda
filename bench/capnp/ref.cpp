// The C++ reference (libcapnp) side of bench-capnp: the same messages as
// bench.c, built and read through capnp's generated C++ classes.
#include <capnp/message.h>
#include <capnp/serialize.h>
#include <kj/array.h>
#include <cstring>
#include <cstdio>

#include "capos.capnp.h"
#include "manifest.capnp.h"
#include "bench.h"

static uint64_t text_sum(capnp::Text::Reader t) { return t.size() + (t.size() ? (uint8_t)t[0] : 0); }

// Builds into a caller-provided first segment, like our arena builder, and
// frames the result into buf (segment table + segments).
// The scratch segment is sized to the message (capnp needs it zeroed, so a
// larger one would charge the reference for clearing unused memory).
template <size_t Words, typename Fill>
static size_t build_framed(void *buf, size_t cap, Fill fill)
{
	alignas(8) static capnp::word scratch[Words];
	std::memset(scratch, 0, sizeof scratch);
	capnp::MallocMessageBuilder mb(kj::arrayPtr(scratch, sizeof scratch / sizeof scratch[0]));
	fill(mb);
	auto segs = mb.getSegmentsForOutput();
	size_t hdr = (4 + 4 * segs.size() + 7) & ~size_t(7);
	size_t total = hdr;
	for (auto s : segs)
		total += s.size() * 8;
	if (total > cap)
		return 0;
	uint8_t *out = static_cast<uint8_t *>(buf);
	std::memset(out, 0, hdr);
	uint32_t n = segs.size() - 1;
	std::memcpy(out, &n, 4);
	size_t off = hdr;
	for (size_t i = 0; i < segs.size(); i++) {
		uint32_t w = segs[i].size();
		std::memcpy(out + 4 + 4 * i, &w, 4);
		std::memcpy(out + off, segs[i].begin(), w * 8);
		off += w * 8;
	}
	return total;
}

extern "C" size_t ref_encode_manifest(void *buf, size_t cap)
{
	return build_framed<2304>(buf, cap, [](capnp::MessageBuilder &mb) {
		const char *name;
		auto m = mb.initRoot<SystemManifest>();
		m.setSchemaVersion(1);
		auto bins = m.initBinaries(BENCH_BINARIES);
		for (int i = 0; i < BENCH_BINARIES; i++) {
			name = bench_name("bin", i);
			bins[i].setName(name);
			bins[i].setData(kj::arrayPtr(bench_blob, BENCH_BINARY_BYTES));
		}
		auto ic = m.initInitConfig();
		auto init = ic.initInit();
		init.setBinary("init");
		auto icaps = init.initCaps(3);
		for (int c = 0; c < 3; c++) {
			name = bench_name("cap", c);
			icaps[c].setName(name);
			icaps[c].initSource().setKernel((KernelCap)c);
		}
		auto svcs = ic.initServices(BENCH_SERVICES);
		for (int i = 0; i < BENCH_SERVICES; i++) {
			auto s = svcs[i];
			name = bench_name("service", i);
			s.setName(name);
			name = bench_name("bin", i % BENCH_BINARIES);
			s.setBinary(name);
			auto caps = s.initCaps(BENCH_CAPS);
			for (int c = 0; c < BENCH_CAPS; c++) {
				name = bench_name("cap", c);
				caps[c].setName(name);
				caps[c].setBadge(i * 16 + c);
				if (c % 2 == 0 || i == 0) {
					caps[c].initSource().setKernel((KernelCap)(c % 4));
				} else {
					auto se = caps[c].initSource().initService();
					name = bench_name("service", i - 1);
					se.setName(name);
					se.setExport("api");
				}
			}
			auto ex = s.initExports(2);
			ex.set(0, "api");
			ex.set(1, "admin");
			s.setRestart(RestartPolicy::ON_FAILURE);
		}
		m.initKernelParams().setMotd("welcome to capOS");
	});
}

extern "C" uint64_t ref_decode_manifest(const void *buf, size_t len)
{
	kj::ArrayPtr<const capnp::word> words(static_cast<const capnp::word *>(buf), len / 8);
	capnp::FlatArrayMessageReader reader(words);
	auto m = reader.getRoot<SystemManifest>();
	uint64_t sum = m.getSchemaVersion();
	for (auto b : m.getBinaries()) {
		sum += text_sum(b.getName());
		auto d = b.getData();
		sum += d.size() + (d.size() ? d[d.size() - 1] : 0);
	}
	auto ic = m.getInitConfig();
	sum += text_sum(ic.getInit().getBinary());
	for (auto c : ic.getInit().getCaps())
		sum += text_sum(c.getName()) + (uint64_t)c.getSource().getKernel();
	for (auto s : ic.getServices()) {
		sum += text_sum(s.getName()) + text_sum(s.getBinary());
		for (auto c : s.getCaps()) {
			sum += text_sum(c.getName()) + c.getBadge();
			auto src = c.getSource();
			if (src.isKernel()) {
				sum += (uint64_t)src.getKernel();
			} else {
				auto se = src.getService();
				sum += text_sum(se.getName()) + text_sum(se.getExport());
			}
		}
		for (auto e : s.getExports())
			sum += text_sum(e);
		sum += (uint64_t)s.getRestart();
	}
	sum += text_sum(m.getKernelParams().getMotd());
	return sum;
}

extern "C" size_t ref_encode_call(void *buf, size_t cap)
{
	return build_framed<32>(buf, cap, [](capnp::MessageBuilder &mb) {
		const char *name;
		auto p = mb.initRoot<ProcessSpawner::SpawnParams>();
		p.setName("worker-7");
		p.setBinaryName("worker");
		auto g = p.initGrants(BENCH_GRANTS);
		for (int i = 0; i < BENCH_GRANTS; i++) {
			name = bench_name("cap", i);
			g[i].setName(name);
			g[i].setCapId(10 + i);
			g[i].setMode(i == 2 ? TransferMode::MOVE : TransferMode::COPY);
			g[i].setInterfaceId(0xc86a45f046c44b68ull);
		}
	});
}

extern "C" uint64_t ref_decode_call(const void *buf, size_t len)
{
	kj::ArrayPtr<const capnp::word> words(static_cast<const capnp::word *>(buf), len / 8);
	capnp::FlatArrayMessageReader reader(words);
	auto p = reader.getRoot<ProcessSpawner::SpawnParams>();
	uint64_t sum = text_sum(p.getName()) + text_sum(p.getBinaryName());
	for (auto g : p.getGrants())
		sum += text_sum(g.getName()) + g.getCapId() + (uint64_t)g.getMode() +
		       g.getBadge() + g.getInterfaceId();
	return sum;
}
