// userfiles.mjs: reading the files a user drops on the page (issue 4, "bring your own"), in the
// worker. Everything here turns bytes into checked data or throws an Error whose message says what
// is wrong; the caller prefixes the file name. No ONNX Runtime here: models are validated in
// worker.mjs, where the sessions live.
//
// Index: 1. what a file is (by its name)  2. a model's name from its file name
//        3. .npy images (N x 28 x 28 or N x 1 x 28 x 28, float32 in [0, 1])
//        4. PNG / JPEG images (decoded, grayscale, resized to 28 x 28)
const PIXELS = 28 * 28;

// 1. The kind of a dropped file. By extension: the browser gives no reliable type for .onnx/.npy.
export function fileKind(name) {
  const ext = name.toLowerCase().split('.').pop();
  if (ext === 'onnx') return 'onnx';
  if (ext === 'npy') return 'npy';
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

// 3. NumPy .npy, format versions 1-3: magic, version, header length, a Python dict literal header.
export function parseNpy(bytes) {
  const magic = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];   // \x93NUMPY
  if (bytes.length < 10 || magic.some((b, i) => bytes[i] !== b)) throw new Error('not a .npy file (no \\x93NUMPY magic)');
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const major = bytes[6];
  const headerLen = major === 1 ? dv.getUint16(8, true) : dv.getUint32(8, true);
  const start = major === 1 ? 10 : 12;
  if (start + headerLen > bytes.length) throw new Error('truncated .npy header');
  const header = new TextDecoder('latin1').decode(bytes.subarray(start, start + headerLen));
  const descr = header.match(/'descr'\s*:\s*'([^']*)'/)?.[1];
  const fortran = /'fortran_order'\s*:\s*True/.test(header);
  const shapeText = header.match(/'shape'\s*:\s*\(([^)]*)\)/)?.[1];
  if (descr !== '<f4') throw new Error(`dtype ${descr ?? '?'}: float32 ('<f4') is needed`);
  if (fortran) throw new Error('Fortran order: C order is needed');
  if (shapeText === undefined) throw new Error('no shape in the .npy header');
  const shape = shapeText.split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  const ok = (shape.length === 3 && shape[1] === 28 && shape[2] === 28) ||
             (shape.length === 4 && shape[1] === 1 && shape[2] === 28 && shape[3] === 28);
  if (!ok) throw new Error(`shape (${shape.join(', ')}): N x 28 x 28 or N x 1 x 28 x 28 is needed`);
  const n = shape[0];
  const offset = start + headerLen;
  if (bytes.length !== offset + n * PIXELS * 4) throw new Error(`${bytes.length - offset} data bytes, ${n * PIXELS * 4} expected for its shape`);
  // Copy: the data need not be 4-byte aligned in the file.
  const x = new Float32Array(bytes.slice(offset).buffer);
  const bad = x.findIndex((v) => !(v >= 0 && v <= 1));   // also catches NaN
  if (bad >= 0) throw new Error(`value ${x[bad]} at image ${Math.floor(bad / PIXELS)}: pixels must be finite, in [0, 1]`);
  return { n, x };
}

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
  for (let i = 0; i < PIXELS; i++) x[i] = (0.299 * rgba[4 * i] + 0.587 * rgba[4 * i + 1] + 0.114 * rgba[4 * i + 2]) / 255;
  return x;
}
