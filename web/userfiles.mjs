// userfiles.mjs: reading the files a user drops on the page ("bring your own" models and images),
// in the worker. Everything here turns bytes into checked data or throws an Error whose message
// says what is wrong; the caller prefixes the file name. No ONNX Runtime here: models are
// validated in worker.mjs, where the sessions live.
//
// Index: 1. what a file is (by its name)  2. a model's name from its file name (and its model.json's)
//        3. (images: the core's readers, through the worker module)

// 1. The kind of a dropped file. By extension: the browser gives no reliable type for .onnx/.npy.
export function fileKind(name) {
  const ext = name.toLowerCase().split('.').pop();
  if (ext === 'onnx') return 'onnx';
  if (ext === 'npy') return 'npy';
  if (ext === 'json') return 'json';
  if (['png', 'jpg', 'jpeg'].includes(ext)) return 'image';
  return null;
}

// 2. "mine_encoder.onnx", "mine-decoder.onnx", "mine.encoder.onnx" -> "mine"; "encoder.onnx" and
// "decoder.onnx" -> the folder they were dropped in ("cae/encoder.onnx" -> "cae"), else "model".
// The role: a name ending in "decoder" is a decoder. Names may carry the dropped folders' path.
const baseName = (path) => path.split('/').pop();
const folderName = (path) => path.split('/').slice(-2, -1)[0] ?? null;
export function modelName(file) {
  const base = baseName(file).replace(/\.onnx$/i, '');
  const m = base.match(/^(.+?)[._-]+(encoder|decoder)$/i);
  if (m) return m[1];
  if (/^(encoder|decoder)$/i.test(base)) return folderName(file) ?? 'model';
  return base;
}
export const isDecoderName = (file) => /decoder$/i.test(baseName(file).replace(/\.onnx$/i, ''));
// A model's settings (what `strata characterize` reads from model.json beside the files):
// "mine.json", "mine_model.json", "mine.model.json" -> "mine"; "cae/model.json" -> "cae";
// a loose "model.json" -> null (the one model of the drop).
export function settingsModelName(file) {
  const base = baseName(file).replace(/\.json$/i, '');
  if (/^model$/i.test(base)) return folderName(file);
  const m = base.match(/^(.+?)[._-]+model$/i);
  return m ? m[1] : base;
}

// 3. Images (PNG, JPEG, .npy) are read by the core (worker_api.cpp imageSet), as `strata
// characterize --images` reads them.
