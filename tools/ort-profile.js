// Writes ONNX Runtime's own profile (enableProfiling) of an ONNX model on its
// CPU provider, for tools/make-trace-fixtures and qviz-cli import-trace.
// Usage:
//   node tools/ort-profile.js MODEL.onnx OUT.json [SIZE] [PASSES] [THREADS] [LEVEL]
// The input is random (fixed seed), 1x3xSIZExSIZE float32; the session runs
// PASSES passes (the first ones are its cold passes: ONNX Runtime allocates
// and prepacks on them); LEVEL is the graph optimization level ("all" by
// default: nodes fused as they would be in deployment).
// Needs `npm install --ignore-scripts onnxruntime-node` in a folder on
// NODE_PATH (e.g. NODE_PATH=/work/ort/node_modules).
const fs = require('fs');
const os = require('os');
const path = require('path');
const ort = require('onnxruntime-node');

async function main() {
  const [model, out, sizeArg, passesArg, threadsArg, level] = process.argv.slice(2);
  const size = Number(sizeArg || 64), passes = Number(passesArg || 5);
  const threads = Number(threadsArg || 1);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ort-profile-'));
  const options = {
    executionProviders: ['cpu'], graphOptimizationLevel: level || 'all',
    intraOpNumThreads: threads, interOpNumThreads: 1,
    enableProfiling: true, profileFilePrefix: path.join(dir, 'profile'),
  };
  const session = await ort.InferenceSession.create(model, options);
  const data = new Float32Array(3 * size * size);
  let seed = 1;
  for (let i = 0; i < data.length; i++) {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    data[i] = seed / 2147483648;
  }
  const feeds = {};
  feeds[session.inputNames[0]] = new ort.Tensor('float32', data, [1, 3, size, size]);
  for (let p = 0; p < passes; p++)
    await session.run(feeds);
  session.endProfiling();
  await session.release();
  const written = fs.readdirSync(dir).filter((f) => f.endsWith('.json'));
  if (written.length !== 1)
    throw new Error(`ONNX Runtime wrote ${written.length} profiles in ${dir}`);
  fs.copyFileSync(path.join(dir, written[0]), out);
  fs.rmSync(dir, { recursive: true });
  console.log(out, fs.statSync(out).size, 'bytes');
}

main().catch((e) => { console.error(e.message || e); process.exit(1); });
