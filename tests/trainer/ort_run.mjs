// ort_run.mjs: runs one ONNX file with ONNX Runtime Web (wasm backend) under Node, for the parity
// test of tests/trainer/test_export.cpp.
//
//   node ort_run.mjs MODEL.onnx INPUT_NAME INPUT.f32 N,C,H,W OUT_PREFIX
//
// INPUT.f32 holds raw little-endian float32 values (C order); each output NAME is written to
// OUT_PREFIX.NAME.f32 the same way, and one JSON line {"NAME": [dims...], ...} goes to stdout.
// onnxruntime-web is taken from web/node_modules (npm ci --prefix web) unless STRATA_ORT names
// the module file.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const ortFile = process.env.STRATA_ORT || resolve(here, '../../web/node_modules/onnxruntime-web/dist/ort.node.min.mjs');
const ort = await import(pathToFileURL(ortFile).href);

const [model, inputName, inputFile, dimsText, outPrefix] = process.argv.slice(2);
if (!outPrefix) {
  console.error('usage: node ort_run.mjs MODEL.onnx INPUT_NAME INPUT.f32 N,C,H,W OUT_PREFIX');
  process.exit(2);
}
ort.env.wasm.numThreads = 1;
const dims = dimsText.split(',').map(Number);
const buf = readFileSync(inputFile);
const data = new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
const session = await ort.InferenceSession.create(readFileSync(model), { executionProviders: ['wasm'] });
const results = await session.run({ [inputName]: new ort.Tensor('float32', data, dims) });
const shapes = {};
for (const [name, t] of Object.entries(results)) {
  writeFileSync(`${outPrefix}.${name}.f32`, Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength));
  shapes[name] = t.dims;
}
console.log(JSON.stringify(shapes));
