# Copyright (c) seavis_mm contributors. All rights reserved.
"""Plot the ToyAVIS zoo: one bar chart per metric for the five rows, and
the per-video FSLA of SeaVIS against the audio-blind baseline.

    python tools/analysis_tools/plot_results.py docs/results/zoo.json \
        --out-dir docs/results
"""
import argparse
import json
import os
import os.path as osp

import matplotlib

matplotlib.use('Agg')
import matplotlib.pyplot as plt  # noqa: E402

METRICS = ('FSLA', 'HOTA', 'DetA', 'AssA', 'mAP')


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('zoo_json', help='zoo.json of collect_zoo.py')
    parser.add_argument('--out-dir', default='docs/results')
    parser.add_argument('--method', default='seavis_r18_toyavis')
    parser.add_argument('--baseline', default='mask2former-minvis_r18_toyavis')
    return parser.parse_args()


def _panels(rows):
    """(title, values) per panel: the metrics, then how often each model
    segments visible but silent objects (lower is better) when measured."""
    panels = [(m, [r[m] for r in rows]) for m in METRICS]
    if all('silence' in r for r in rows):
        panels.append(('silent objects segmented % (lower is better)',
                       [r['silence']['silent_found'] for r in rows]))
    return panels


def plot_bars(rows, path):
    panels = _panels(rows)
    fig, axes = plt.subplots(1, len(panels), figsize=(3.2 * len(panels), 3.6))
    colors = plt.cm.tab10.colors
    for ax, (title, values) in zip(axes, panels):
        bars = ax.bar(range(len(rows)), values,
                      color=[colors[i % 10] for i in range(len(rows))])
        ax.set_title(title if len(title) < 20 else title.replace(
            ' (', '\n('), fontsize=10)
        ax.set_xticks([])
        ax.set_ylim(0, 100)
        for b, v in zip(bars, values):
            ax.text(b.get_x() + b.get_width() / 2, v + 1, f'{v:.1f}',
                    ha='center', fontsize=8)
    handles = [plt.Rectangle((0, 0), 1, 1, color=colors[i % 10])
               for i in range(len(rows))]
    fig.legend(handles, [r['title'] for r in rows], loc='lower center',
               ncol=min(3, len(rows)), fontsize=8)
    fig.tight_layout(rect=(0, 0.12, 1, 1))
    fig.savefig(path, dpi=110)
    plt.close(fig)


def plot_scatter(method, baseline, path):
    vids = sorted(set(method['per_video_fsla']) &
                  set(baseline['per_video_fsla']), key=int)
    x = [baseline['per_video_fsla'][v] for v in vids]
    y = [method['per_video_fsla'][v] for v in vids]
    fig, ax = plt.subplots(figsize=(4.6, 4.6))
    ax.scatter(x, y, s=22)
    ax.plot([0, 100], [0, 100], 'k--', lw=0.8)
    ax.set_xlim(0, 100)
    ax.set_ylim(0, 100)
    ax.set_xlabel(f"{baseline['title']}\nper-video FSLA")
    ax.set_ylabel(f"{method['title']} per-video FSLA")
    above = sum(b > a for a, b in zip(x, y))
    ax.set_title(f'{above}/{len(vids)} val videos above the diagonal',
                 fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main():
    args = parse_args()
    with open(args.zoo_json) as f:
        rows = json.load(f)['rows']
    os.makedirs(args.out_dir, exist_ok=True)
    plot_bars(rows, osp.join(args.out_dir, 'zoo_bars.png'))
    by_name = {r['name']: r for r in rows}
    if args.method in by_name and args.baseline in by_name:
        plot_scatter(by_name[args.method], by_name[args.baseline],
                     osp.join(args.out_dir, 'fsla_per_video.png'))
    print(f'plots written to {args.out_dir}')


if __name__ == '__main__':
    main()
