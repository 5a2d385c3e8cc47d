// ort_run.mjs: runs one ONNX file with ONNX Runtime Web (wasm backend) under Node, for the parity
// test of tests/trainer/test_export.cpp.
//
//   node ort_run.mjs MODEL.onnx INPUT_NAME INPUT.f32 N,C,H,W OUT_PREFIX [BATCH]
//
// INPUT.f32 holds raw little-endian float32 values (C order); each output NAME is written to
// OUT_PREFIX.NAME.f32 the same way, and one JSON line {"NAME": [dims...], ...} goes to stdout.
// With BATCH, the N inputs run BATCH at a time (a model exported with a fixed batch; N must be a
// multiple of it) and the outputs are concatenated.
// onnxruntime-web is taken from web/node_modules (npm ci --prefix web) unless STRATA_ORT names
// the module file.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const ortFile = process.env.STRATA_ORT || resolve(here, '../../web/node_modules/onnxruntime-web/dist/ort.node.min.mjs');
const ort = await import(pathToFileURL(ortFile).href);

const [model, inputName, inputFile, dimsText, outPrefix, batchText] = process.argv.slice(2);
if (!outPrefix) {
  console.error('usage: node ort_run.mjs MODEL.onnx INPUT_NAME INPUT.f32 N,C,H,W OUT_PREFIX [BATCH]');
  process.exit(2);
}
ort.env.wasm.numThreads = 1;
const dims = dimsText.split(',').map(Number);
const batch = batchText ? Number(batchText) : dims[0];
if (!(batch > 0) || dims[0] % batch !== 0) {
  console.error(`ort_run.mjs: N = ${dims[0]} is not a multiple of BATCH = ${batchText}`);
  process.exit(2);
}
const buf = readFileSync(inputFile);
const data = new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
const item = data.length / dims[0];
const session = await ort.InferenceSession.create(readFileSync(model), { executionProviders: ['wasm'] });
const parts = {};
const shapes = {};
for (let b = 0; b < dims[0]; b += batch) {
  const x = new ort.Tensor('float32', data.subarray(b * item, (b + batch) * item), [batch, ...dims.slice(1)]);
  const results = await session.run({ [inputName]: x });
  for (const [name, t] of Object.entries(results)) {
    (parts[name] ??= []).push(Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength));
    shapes[name] = [dims[0], ...t.dims.slice(1)];
  }
}
for (const [name, list] of Object.entries(parts)) writeFileSync(`${outPrefix}.${name}.f32`, Buffer.concat(list));
console.log(JSON.stringify(shapes));
