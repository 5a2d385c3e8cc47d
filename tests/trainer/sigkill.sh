#!/bin/sh
# sigkill.sh: a `strata train` killed with SIGKILL in the middle of an epoch resumes from its last
# checkpoint (written atomically after every epoch) and ends with exactly the weights of an
# uninterrupted run with the same seed. Run by ctest as trainer_sigkill.
#   sigkill.sh STRATA
#
# Checked: after the kill the checkpoint is the one of epoch 1 (training_log.json has 1 epoch, the
# kill landed after epoch 2 had started), it loads (strata export), no temporary file is left;
# after --resume, checkpoint.pt holds bit-identical contents to the uninterrupted run's (every
# weight and batch-norm buffer, Adam's step and moments per parameter, position, running sums,
# the history but for the measured speed), so are training_log.json (but for the speed) and the
# exported ONNX bytes. A temporary file that a kill during a
# checkpoint write would leave (checkpoint.pt.tmp.PID) is removed by --resume.
# Cost: 2 small epochs (1280 images, batch 64, 1 thread) run twice side by side.
set -eu
STRATA=$1
DIR=$(mktemp -d /tmp/strata_test_sigkill_XXXXXX)
REF=
trap '[ -n "$REF" ] && kill -KILL $REF 2>/dev/null; rm -rf "$DIR"' EXIT
fail() { echo "sigkill: $*"; for f in "$DIR"/*.log; do echo "== $f"; cat "$f"; done; exit 1; }
FLAGS="--kind vae --epochs 2 --seed 7 --threads 1 --train-limit 1280 --batch 64 --eval-images 10"

# The uninterrupted reference, in the background (1 thread each: both fit on 2 cores).
"$STRATA" train $FLAGS --out "$DIR/ref" --quiet > "$DIR/ref.log" 2>&1 &
REF=$!

# The run to kill; non-tty progress prints a line per 10 % of an epoch (here every 2 batches).
"$STRATA" train $FLAGS --out "$DIR/run" > "$DIR/run.log" 2>&1 &
PID=$!
for i in $(seq 3000); do   # up to 5 minutes on a loaded machine
  grep -q "vae epoch 2/2 \[" "$DIR/run.log" 2>/dev/null && break
  kill -0 $PID 2>/dev/null || fail "the run ended before epoch 2 started"
  sleep 0.1
done
kill -KILL $PID
rc=0
wait $PID || rc=$?
[ "$rc" = 137 ] || fail "expected death by SIGKILL (137), got $rc"
grep -q "vae epoch 2/2 done" "$DIR/run.log" && fail "the kill landed after epoch 2 had finished"
[ -f "$DIR/run/checkpoint.pt" ] || fail "no checkpoint.pt after the kill"
ls "$DIR/run" | grep -q "\.tmp\." && fail "a temporary file was left behind: $(ls "$DIR/run")"
python3 -c "import json,sys; h=json.load(open(sys.argv[1]))['history']; sys.exit(0 if len(h)==1 else 1)" \
  "$DIR/run/training_log.json" || fail "training_log.json should hold exactly epoch 1"
"$STRATA" export "$DIR/run" --out "$DIR/killed_onnx" > "$DIR/export_killed.log" 2>&1 ||
  fail "the checkpoint left by the kill does not load"

# What a kill during a checkpoint write would leave: --resume removes it.
echo partial > "$DIR/run/checkpoint.pt.tmp.999999999"
"$STRATA" train --out "$DIR/run" --resume > "$DIR/resume.log" 2>&1 || fail "--resume failed"
wait $REF || fail "the reference run failed"
REF=
grep -q "vae epoch 1/2" "$DIR/resume.log" && fail "the resumed run trained epoch 1 again"

python3 - "$DIR/ref" "$DIR/run" <<'EOF' || fail "resumed run differs from the uninterrupted one"
import io, json, pickle, sys, zipfile
# A LibTorch archive is a zip: data.pkl (the structure) and one raw storage per tensor under
# data/. LibTorch 1.13's Adam keeps its per-parameter state in a hash map keyed by the parameter's
# address, so the order of the moments in the file differs between any two processes (two
# uninterrupted runs too); they are matched to parameters through param_groups' list instead.
class Obj:
    def __setstate__(self, state): self.state = state
class Reader(pickle.Unpickler):
    def find_class(self, module, name):
        if module.startswith('__torch__'): return type(name, (Obj,), {})
        if name == '_rebuild_tensor_v2': return lambda storage, offset, size, *rest: ('tensor', storage, offset, size)
        if name == 'OrderedDict': return dict
        if module == 'torch' and name.endswith('Storage'): return name
        raise pickle.UnpicklingError('unexpected %s.%s' % (module, name))
    def persistent_load(self, pid): return pid[2]   # ('storage', type, key, location, numel)
def flat(path):
    z = zipfile.ZipFile(path)
    prefix = z.namelist()[0].split('/')[0]
    root = Reader(io.BytesIO(z.read(prefix + '/data.pkl'))).load().state
    data = lambda t: (t[2], t[3], z.read('%s/data/%s' % (prefix, t[1])))
    out = {}
    for module, m in root['model'].state.items():
        for name, t in m.state.items(): out['model.%s.%s' % (module, name)] = data(t)
    opt = root['optimizer'].state
    group = opt['param_groups'].state['param_groups/0'].state
    state = opt['state'].state
    for i in range(len(state)):
        st = state[group['params/%d' % i]].state
        out['adam.%d' % i] = (st['step'], data(st['exp_avg']), data(st['exp_avg_sq']))
    out['position'], out['sums'] = data(root['position']), data(root['sums'])
    history = json.loads(root['history'])
    for e in history: e.pop('images_per_s')
    out['history'], out['kind'] = history, root['kind']
    return out
a, b = flat(sys.argv[1] + '/checkpoint.pt'), flat(sys.argv[2] + '/checkpoint.pt')
if a.keys() != b.keys(): sys.exit('entries differ: %s vs %s' % (sorted(a), sorted(b)))
bad = [k for k in a if a[k] != b[k]]
if bad: sys.exit('%d of %d entries differ: %s' % (len(bad), len(a), bad[:8]))
def log(d):
    h = json.load(open(d + '/training_log.json'))['history']
    for e in h: e.pop('images_per_s')
    return h
if log(sys.argv[1]) != log(sys.argv[2]): sys.exit('training_log.json histories differ')
n = sum(1 for k in a if k.startswith('model.'))
print('sigkill: bit-identical: %d model tensors, Adam state of %d parameters, position, sums, history' %
      (n, sum(1 for k in a if k.startswith('adam.'))))
EOF
"$STRATA" export "$DIR/ref" > /dev/null
"$STRATA" export "$DIR/run" > /dev/null
cmp "$DIR/ref/encoder.onnx" "$DIR/run/encoder.onnx" || fail "encoder.onnx differs"
cmp "$DIR/ref/decoder.onnx" "$DIR/run/decoder.onnx" || fail "decoder.onnx differs"
ls "$DIR/run" | grep -q "\.tmp\." && fail "a temporary file was left behind: $(ls "$DIR/run")"
echo "sigkill: ok"
