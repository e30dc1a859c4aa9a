// Runs an ONNX model with ONNX Runtime's CPU provider (onnxruntime-node), for
// tools/make-ort-fixtures.  Usage:
//   node tools/ort-run.js MODEL.onnx INPUT.f32 N,C,H,W OUTPREFIX [OPTIMIZED.onnx]
// INPUT.f32 is raw little-endian float32; every output is written as
// OUTPREFIX.NAME.f32 with its dims in OUTPREFIX.NAME.dims.  With OPTIMIZED,
// ONNX Runtime also saves the model as it runs it (QDQ groups fused into
// QLinear and com.microsoft operators).
// Needs `npm install --ignore-scripts onnxruntime-node` in a folder on
// NODE_PATH (e.g. NODE_PATH=/work/ort/node_modules).
const fs = require('fs');
const ort = require('onnxruntime-node');

async function main() {
  const [model, input, dims, prefix, optimized] = process.argv.slice(2);
  const shape = dims.split(',').map(Number);
  const raw = fs.readFileSync(input);
  const data = new Float32Array(raw.buffer, raw.byteOffset, raw.length / 4);
  const options = { executionProviders: ['cpu'], graphOptimizationLevel: 'extended', intraOpNumThreads: 1 };
  if (optimized)
    options.optimizedModelFilePath = optimized;
  const session = await ort.InferenceSession.create(model, options);
  const feeds = {};
  feeds[session.inputNames[0]] = new ort.Tensor('float32', data, shape);
  const results = await session.run(feeds);
  for (const name of session.outputNames) {
    const t = results[name];
    fs.writeFileSync(`${prefix}.${name}.f32`, Buffer.from(new Float32Array(t.data).buffer));
    fs.writeFileSync(`${prefix}.${name}.dims`, t.dims.join(','));
  }
}

main().catch((e) => { console.error(e.message || e); process.exit(1); });
