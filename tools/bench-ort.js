// ONNX Runtime's float and int8 latency of the models tools/export-lraspp-onnx
// writes, for docs/benchmarks.md.  Prints Markdown, measures, asserts nothing.
//   NODE_PATH=DIR/node_modules node tools/bench-ort.js F32.onnx INT8.onnx \
//       [--res 256,512,1024] [--threads 1,2] [--min-time SECONDS]
// Needs `npm install --ignore-scripts onnxruntime-node` in DIR.  Each size
// and thread count gets fresh sessions, so the first two passes (ONNX
// Runtime's lazy allocations and prepacking) are reported apart.
const ort = require('onnxruntime-node');

function option(name, fallback) {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : fallback;
}

async function timed(path, threads, size, minMs) {
  const session = await ort.InferenceSession.create(path, {
    executionProviders: ['cpu'],
    graphOptimizationLevel: 'all',
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
  });
  const data = new Float32Array(3 * size * size);
  for (let i = 0; i < data.length; i++)
    data[i] = Math.sin(i * 0.37);
  const feeds = {};
  feeds[session.inputNames[0]] = new ort.Tensor('float32', data, [1, 3, size, size]);
  const firsts = [];
  for (let i = 0; i < 2; i++) {
    const t = process.hrtime.bigint();
    await session.run(feeds);
    firsts.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  const samples = [];
  const start = Date.now();
  while (samples.length < 5 || Date.now() - start < minMs) {
    const t = process.hrtime.bigint();
    await session.run(feeds);
    samples.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  samples.sort((a, b) => a - b);
  await session.release();
  return { firsts, median: samples[Math.floor(samples.length / 2)] };
}

async function main() {
  const [f32, int8] = process.argv.slice(2, 4);
  if (!f32 || !int8) {
    console.error('usage: node tools/bench-ort.js F32.onnx INT8.onnx [--res LIST] [--threads LIST] [--min-time S]');
    process.exit(2);
  }
  const sizes = option('--res', '256,512,1024').split(',').map(Number);
  const threads = option('--threads', '1,2').split(',').map(Number);
  const minMs = Number(option('--min-time', '1')) * 1000;
  const version = require('onnxruntime-node/package.json').version;

  console.log(`ONNX Runtime ${version} (onnxruntime-node, CPU provider), QDQ int8\n`);
  console.log('| size | threads | f32 ms | int8 ms | int8/f32 | f32 1st, 2nd pass ms | int8 1st, 2nd pass ms |');
  console.log('|---|---:|---:|---:|---:|---:|---:|');
  for (const t of threads)
    for (const s of sizes) {
      const f = await timed(f32, t, s, minMs);
      const q = await timed(int8, t, s, minMs);
      console.log(`| ${s} | ${t} | ${f.median.toFixed(1)} | ${q.median.toFixed(1)} | ` +
                  `${(q.median / f.median).toFixed(2)} | ${f.firsts[0].toFixed(0)}, ${f.firsts[1].toFixed(0)} | ` +
                  `${q.firsts[0].toFixed(0)}, ${q.firsts[1].toFixed(0)} |`);
    }
}

main().catch((e) => { console.error(e.message || e); process.exit(1); });
