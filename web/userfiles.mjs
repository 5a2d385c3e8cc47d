// userfiles.mjs: reading the files a user drops on the page ("bring your own" models and images),
// in the worker. Everything here turns bytes into checked data or throws an Error whose message
// says what is wrong; the caller prefixes the file name. No ONNX Runtime here: models are
// validated in worker.mjs, where the sessions live.
//
// Index: 1. what a file is (by its name)  2. a model's name from its file name (and its model.json's)
//        3. (.npy images: the core's reader, through the worker module)
//        4. PNG / JPEG images (decoded, grayscale, resized to 28 x 28)
const PIXELS = 28 * 28;

// 1. The kind of a dropped file. By extension: the browser gives no reliable type for .onnx/.npy.
export function fileKind(name) {
  const ext = name.toLowerCase().split('.').pop();
  if (ext === 'onnx') return 'onnx';
  if (ext === 'npy') return 'npy';
  if (ext === 'json') return 'json';
  if (['png', 'jpg', 'jpeg'].includes(ext)) return 'image';
  return null;
}

// 2. "mine_encoder.onnx", "mine-decoder.onnx", "mine.encoder.onnx" -> "mine"; "encoder.onnx" ->
// "encoder" (nothing better to go by). The role: a name ending in "decoder" is a decoder.
export function modelName(file) {
  const base = file.replace(/\.onnx$/i, '');
  const m = base.match(/^(.+?)[._-]+(encoder|decoder)$/i);
  return m ? m[1] : base;
}
export const isDecoderName = (file) => /decoder$/i.test(file.replace(/\.onnx$/i, ''));
// A model's settings (what `strata characterize` reads from model.json beside the files):
// "mine.json", "mine_model.json", "mine.model.json" -> "mine"; "model.json" -> null (the one model
// of the drop).
export function settingsModelName(file) {
  const base = file.replace(/\.json$/i, '');
  if (/^model$/i.test(base)) return null;
  const m = base.match(/^(.+?)[._-]+model$/i);
  return m ? m[1] : base;
}

// 3. NumPy .npy images are read by the core's .npy reader (worker_api.cpp readImagesNpy).

// 4. PNG / JPEG: the browser's decoder (createImageBitmap works in workers), resized to 28 x 28 by
// drawing, then luma (Rec. 601) in [0, 1]; transparency is drawn over black (MNIST-style background).
export async function decodeImage(bytes) {
  let bitmap;
  try {
    bitmap = await createImageBitmap(new Blob([bytes]));
  } catch {
    throw new Error('unreadable image (not a PNG or JPEG the browser can decode)');
  }
  const canvas = new OffscreenCanvas(28, 28);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#000';
  ctx.fillRect(0, 0, 28, 28);
  ctx.imageSmoothingQuality = 'high';
  ctx.drawImage(bitmap, 0, 0, 28, 28);
  bitmap.close();
  const rgba = ctx.getImageData(0, 0, 28, 28).data;
  const x = new Float32Array(PIXELS);
  for (let i = 0; i < PIXELS; i++)
    x[i] = (0.299 * rgba[4 * i] + 0.587 * rgba[4 * i + 1] + 0.114 * rgba[4 * i + 2]) / 255;
  return x;
}
