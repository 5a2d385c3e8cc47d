#!/usr/bin/python3
"""sweep.py: `strata sweep` end to end on a tiny grid. Run by ctest as trainer_sweep.

    sweep.py --strata STRATA --workdir DIR

Sections: 1. the tiny sweep  2. its aggregates recomputed here from the per-run results.json
3. the CSV and the Markdown tables  4. a sweep killed with SIGKILL and run again  5. bad flags

The recomputation reads only runs/<name>/results.json (what `strata characterize` wrote for each
model) and follows the definitions of docs/trainer.md and docs/study.md; it shares no code with the
sweep. A kill lands while the second run trains its second epoch: the rerun must not train the
first run again (its files keep their modification times, the log says so), must continue the
second from its checkpoint, and must end with a sweep.json equal to the uninterrupted one's.
"""
import argparse
import csv
import io
import json
import math
import os
import shutil
import signal
import statistics
import subprocess
import sys
import time

FLAGS = ['--kinds', 'cae', '--grid', 'norm=batch,none', '--seeds', '1,2', '--epochs', '2', '--train-limit', '1024',
         '--batch', '32', '--threads', '1', '--eval-images', '64', '--n', '40', '--sigmas', '0,0.1,0.2',
         '--analysis-threads', '1']
RUNS = ['cae_norm-batch_s1', 'cae_norm-batch_s2', 'cae_norm-none_s1', 'cae_norm-none_s2']
CELLS = {'cae_norm-batch': RUNS[:2], 'cae_norm-none': RUNS[2:]}
METRICS = ['strata', 'rank_min_mode1', 'rank_max_mode1', 'rank_min_mode2', 'rank_max_mode2', 'rank_min_mode3',
           'rank_max_mode3', 'hilbert_dim', 'mean_angle_deg', 'psnr_db']
failures = []


def check(ok, what):
    if not ok:
        failures.append(what)
        print('FAIL:', what)


def close(a, b):
    """NaN-aware: both finite and equal to 1e-12 relative (None only equals None)."""
    if a is None or b is None:
        return a is None and b is None
    return math.isfinite(a) and math.isfinite(b) and abs(a - b) <= 1e-12 * max(1.0, abs(a), abs(b))


def sweep(strata, out, extra=(), log=None):
    with open(log or os.devnull, 'w') as f:
        return subprocess.run([strata, 'sweep', *FLAGS, *extra, '--out', out], stdout=f, stderr=subprocess.STDOUT).returncode


# 2. The independent recomputation ------------------------------------------------------------------------
def set_numbers(s):
    ranks = s['ranks']
    m = {'strata': float(len(s['strata'])), 'hilbert_dim': float(s['hilbert_dim'])}
    for mode in range(3):
        col = [r[mode] for r in ranks]
        m['rank_min_mode%d' % (mode + 1)] = float(min(col))
        m['rank_max_mode%d' % (mode + 1)] = float(max(col))
    angles = s.get('principal_angles_deg') or []
    m['mean_angle_deg'] = sum(angles) / len(angles) if angles else None
    m['psnr_db'] = s['psnr_mean']
    return m


def claims(model):
    sets = model['sets']
    c = dict.fromkeys(['clean_stratified', 'sigma_0.1_stratified', 'vae_smooth', 'angles_grow', 'psnr_drops'])
    if model['variational']:
        c['vae_smooth'] = all(s['smooth'] for s in sets)
        return c
    c['clean_stratified'] = not sets[0]['smooth']
    for s in sets:
        if abs(s['sigma'] - 0.1) < 1e-12:
            c['sigma_0.1_stratified'] = not s['smooth']
    angles = [set_numbers(s)['mean_angle_deg'] for s in sets[1:]]
    if len(angles) >= 2 and None not in angles:
        c['angles_grow'] = angles[-1] > angles[0] and all(b >= a for a, b in zip(angles, angles[1:]))
    if sets[0]['psnr_mean'] is not None and len(sets) >= 2:
        p = [s['psnr_mean'] for s in sets]
        c['psnr_drops'] = all(b < a for a, b in zip(p, p[1:]))
    return c


def check_aggregates(out):
    doc = json.load(open(os.path.join(out, 'sweep.json')))
    check(doc['format'] == 'strata-sweep-1', 'sweep.json format')
    check([c['name'] for c in doc['cells']] == list(CELLS), 'cells and their order')
    models = {r: json.load(open(os.path.join(out, 'runs', r, 'results.json')))['models'][0] for r in RUNS}
    for r in RUNS:
        check(models[r]['architecture']['norm'] == r.split('_')[1].split('-')[1], r + ': architecture in results')
    compared = 0
    for cell in doc['cells']:
        runs = CELLS[cell['name']]
        check(cell['runs'] == runs and cell['seeds'] == [1, 2], cell['name'] + ': runs and seeds')
        sigmas = [s['sigma'] for s in models[runs[0]]['sets']]
        check(sigmas == [0, 0.1, 0.2], cell['name'] + ': sigmas')
        check(len(cell['per_sigma']) == len(sigmas), cell['name'] + ': one entry per sigma')
        for i, entry in enumerate(cell['per_sigma']):
            check(entry['sigma'] == sigmas[i], 'sigma order')
            for k in METRICS:
                vals = [set_numbers(models[r]['sets'][i])[k] for r in runs]
                vals = [v for v in vals if v is not None]
                got = entry[k]
                if not vals:
                    check(got is None, '%s sigma %g %s: expected null' % (cell['name'], sigmas[i], k))
                    continue
                want = {'mean': statistics.fmean(vals), 'min': min(vals), 'max': max(vals),
                        'std': statistics.stdev(vals) if len(vals) > 1 else None, 'n': len(vals)}
                for stat, w in want.items():
                    ok = got is not None and (got[stat] == w if stat == 'n' else close(got[stat], w))
                    check(ok, '%s sigma %g %s %s: sweep %s, recomputed %s' % (
                        cell['name'], sigmas[i], k, stat, None if got is None else got[stat], w))
                    compared += 1
        for name, agg in cell['claims'].items():
            by_seed = {str(seed): claims(models[r])[name] for seed, r in zip([1, 2], runs)}
            check(agg['by_seed'] == by_seed, '%s claim %s by seed: %s vs %s' % (cell['name'], name, agg['by_seed'], by_seed))
            known = [v for v in by_seed.values() if v is not None]
            check(agg['held'] == sum(known) and agg['of'] == len(known), '%s claim %s counts' % (cell['name'], name))
            compared += 1
    check(compared > 100, 'compared only %d numbers' % compared)
    print('sweep: %d aggregates equal the recomputation from the per-run results' % compared)
    return doc


# 3. CSV and Markdown --------------------------------------------------------------------------------------
def check_csv(out, doc):
    rows = list(csv.DictReader(open(os.path.join(out, 'sweep.csv'))))
    check(rows and list(rows[0].keys()) == ['cell', 'kind', 'norm', 'sigma', 'metric', 'mean', 'min', 'max', 'std', 'n'],
          'sweep.csv header')
    n = 0
    for cell in doc['cells']:
        for e in cell['per_sigma']:
            for k in METRICS:
                if e[k] is None:
                    continue
                match = [r for r in rows if r['cell'] == cell['name'] and r['metric'] == k and r['sigma'] and
                         float(r['sigma']) == e['sigma']]
                check(len(match) == 1 and close(float(match[0]['mean']), e[k]['mean']) and
                      close(float(match[0]['min']), e[k]['min']) and int(match[0]['n']) == e[k]['n'],
                      'sweep.csv row %s %g %s' % (cell['name'], e['sigma'], k))
                n += 1
    check(n > 0 and n == sum(1 for r in rows if not r['metric'].startswith('claim:')), 'sweep.csv has a row per aggregate')


def check_table(strata, out, doc):
    text = subprocess.run([strata, 'sweep', '--table', os.path.join(out, 'sweep.json')], capture_output=True,
                          text=True, check=True).stdout
    tables, cur = [], []
    for line in text.splitlines():
        if line.startswith('|'):
            cur.append([c.strip() for c in line.strip().strip('|').split('|')])
        elif cur:
            tables.append(cur)
            cur = []
    if cur:
        tables.append(cur)
    check(len(tables) == 2, 'two Markdown tables, got %d' % len(tables))
    if len(tables) != 2:
        return
    geo, cl = tables
    for t in tables:
        check(all(len(r) == len(t[0]) for r in t), 'every row has the header\'s column count')
        check(all(set(c) <= set('-:') and c for c in t[1]), 'second row is the separator')
    check(geo[0][:3] == ['cell', 'seeds', 'sigma'], 'geometry table header')
    body = geo[2:]
    check(len(body) == sum(len(c['per_sigma']) for c in doc['cells']), 'a row per cell and sigma')
    i = 0
    for c in doc['cells']:
        for e in c['per_sigma']:
            r = body[i]
            i += 1
            check(r[0] == c['name'] and float(r[2]) == e['sigma'], 'table row names')
            mean = float(r[3].split()[0])
            check(abs(mean - e['strata']['mean']) <= 0.005 * max(1, e['strata']['mean']), 'table strata mean')
            lo, hi = r[6].split('-')
            check(float(lo) == e['rank_min_mode3']['min'] and float(hi) == e['rank_max_mode3']['max'],
                  'table mode-3 rank range')
            check(abs(float(r[9].split()[0]) - e['psnr_db']['mean']) <= 0.006, 'table PSNR')
    check(cl[0][0] == 'cell' and len(cl) == 2 + len(doc['cells']), 'claims table shape')
    for row, c in zip(cl[2:], doc['cells']):
        for name, val in zip(cl[0][1:], row[1:]):
            a = c['claims'][name]
            check(val == ('n/a' if a['of'] == 0 else '%d/%d' % (a['held'], a['of'])), 'claims cell %s %s' % (c['name'], name))
    print('sweep: CSV and Markdown tables agree with sweep.json')


# 4. Kill and rerun ------------------------------------------------------------------------------------------
def check_kill(strata, work, ref_doc):
    out = os.path.join(work, 'killed')
    log = open(os.path.join(work, 'killed.log'), 'w')
    p = subprocess.Popen([strata, 'sweep', *FLAGS, '--out', out], stdout=log, stderr=subprocess.STDOUT)
    second = os.path.join(out, 'runs', RUNS[1])
    deadline = time.time() + 300
    while not os.path.exists(os.path.join(second, 'training_log.json')):
        if p.poll() is not None or time.time() > deadline:
            check(False, 'the sweep ended or stalled before the second run finished an epoch')
            return
        time.sleep(0.01)
    p.send_signal(signal.SIGKILL)
    p.wait()
    log.close()
    check(p.returncode == -signal.SIGKILL, 'death by SIGKILL')
    first = os.path.join(out, 'runs', RUNS[0])
    check(os.path.exists(os.path.join(first, 'results.json')), 'the first run was finished before the kill')
    h = json.load(open(os.path.join(second, 'training_log.json')))['history']
    check(len(h) == 1, 'the kill landed in the second run\'s second epoch (its log has %d epochs)' % len(h))
    check(not os.path.exists(os.path.join(out, 'sweep.json')), 'no sweep.json before the sweep ended')
    stamps = {f: os.stat(os.path.join(first, f)).st_mtime_ns
              for f in ['checkpoint.pt', 'encoder.onnx', 'decoder.onnx', 'results.json', 'training_log.json']}
    rc = sweep(strata, out, log=os.path.join(work, 'rerun.log'))
    text = open(os.path.join(work, 'rerun.log')).read()
    check(rc == 0, 'the rerun failed: ' + text[-2000:])
    check('%s: already trained, already characterized' % RUNS[0] in text, 'the rerun says the first run was done')
    check('%s: resuming from its checkpoint (1 of 2 epochs done)' % RUNS[1] in text, 'the second run resumed')
    check('epoch 1/2' not in text.split(RUNS[1] + ': resuming')[1].split('\n', 1)[1].split('strata sweep:')[0],
          'the resumed run did not train epoch 1 again')
    check('left' in text, 'progress with an estimate of the remaining time')
    for f, t in stamps.items():
        check(os.stat(os.path.join(first, f)).st_mtime_ns == t, 'the first run\'s %s was rewritten' % f)
    doc = json.load(open(os.path.join(out, 'sweep.json')))
    check(doc == ref_doc, 'sweep.json after kill and rerun differs from the uninterrupted sweep\'s')
    print('sweep: killed in %s epoch 2, rerun resumed it; sweep.json equals the uninterrupted one' % RUNS[1])


# 5. Bad flags -------------------------------------------------------------------------------------------
def check_errors(strata, work):
    def err(args, want):
        r = subprocess.run([strata, 'sweep', *args], capture_output=True, text=True)
        check(r.returncode == 1 and want in r.stderr, 'sweep %s: wanted "%s", got rc %d: %s' % (
            ' '.join(args), want, r.returncode, r.stderr.strip()))
    o = os.path.join(work, 'bad')
    err(['--grid', 'colour=red', '--out', o], "--grid: unknown switch 'colour'")
    err(['--grid', 'norm=batch,layer', '--out', o], "--norm: expected batch or none, got 'layer'")
    err(['--grid', 'norm=batch', '--norm', 'none', '--out', o], '--norm: also a --grid axis')
    err(['--grid', 'depth=1,3', '--out', o], '--input 1x28x28: H and W are not multiples of 8')
    err(['--kinds', 'cae,gan', '--out', o], "unknown model kind 'gan'")
    err(['--seeds', '1,1', '--out', o], "--seeds: '1' is listed twice")
    err([*FLAGS[:4], '--seeds', '1,3', '--epochs', '2', '--out', os.path.join(work, 'ref')],
        'sweep_settings.json: this folder holds a sweep with other settings')


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--strata', required=True)
    ap.add_argument('--workdir', required=True)
    a = ap.parse_args()
    shutil.rmtree(a.workdir, ignore_errors=True)
    os.makedirs(a.workdir)
    ref = os.path.join(a.workdir, 'ref')
    rc = sweep(a.strata, ref, log=os.path.join(a.workdir, 'ref.log'))
    if rc != 0:
        print(open(os.path.join(a.workdir, 'ref.log')).read()[-3000:])
        sys.exit('sweep: the tiny sweep failed (rc %d)' % rc)
    doc = check_aggregates(ref)
    check_csv(ref, doc)
    check_table(a.strata, ref, doc)
    check_kill(a.strata, a.workdir, doc)
    check_errors(a.strata, a.workdir)
    if failures:
        sys.exit('sweep: %d check(s) failed' % len(failures))
    print('sweep: ok')


if __name__ == '__main__':
    main()
