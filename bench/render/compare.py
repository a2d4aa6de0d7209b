#!/usr/bin/python3
"""Footprint check for two renderings of the same case and extent.

    compare.py A.png B.png      prints: cover_a  cover_b  iou  mad  (TSV)

A pixel is background when it is transparent (alpha 0) or pure white (255, 255, 255);
everything else is "drawn".  cover_x is the fraction of drawn pixels in image x; iou is
|drawn_a AND drawn_b| / |drawn_a OR drawn_b|.  Images of different sizes give iou 0.
mad (information only, not gated) is the mean absolute difference of the RGB values over
the whole frame, 0..255, with transparent pixels taken as white.
Exit status: 0 when both images have drawn pixels and iou >= --min-iou (default 0.9), else 1.
Reads PNGs with GDAL (grey, grey+alpha, RGB or RGBA).
"""
import argparse
import sys

import numpy as np
from osgeo import gdal

gdal.UseExceptions()

MIN_IOU = 0.9


def read_rgba(path):
    """(height, width, 4) uint8 array of any grey, grey+alpha, RGB, RGBA or paletted PNG."""
    ds = gdal.Open(path)
    bands = [ds.GetRasterBand(i + 1) for i in range(ds.RasterCount)]
    alpha = None
    colour = []
    for b in bands:
        if b.GetColorInterpretation() == gdal.GCI_AlphaBand:
            alpha = b.ReadAsArray()
        else:
            colour.append(b)
    ct = colour[0].GetColorTable() if len(colour) == 1 else None
    if ct is not None:                   # paletted PNG: look the entries up
        lut = np.array([ct.GetColorEntry(i) if i < ct.GetCount() else (0, 0, 0, 0)
                        for i in range(256)], np.uint8)
        rgba = lut[colour[0].ReadAsArray()]
    else:
        rgba = np.empty((ds.RasterYSize, ds.RasterXSize, 4), np.uint8)
        chans = [b.ReadAsArray() for b in colour]
        if len(chans) == 1:              # grey
            chans = chans * 3
        for i in range(3):
            rgba[..., i] = chans[i]
        rgba[..., 3] = 255
    if alpha is not None:
        rgba[..., 3] = np.minimum(rgba[..., 3], alpha)
    return rgba


def drawn_mask(rgba):
    """Boolean array, True where the pixel is neither transparent nor pure white."""
    white = (rgba[..., :3] == 255).all(axis=-1)
    return ~(white | (rgba[..., 3] == 0))


def compare(path_a, path_b):
    """(cover_a, cover_b, iou, mad)"""
    ia, ib = read_rgba(path_a), read_rgba(path_b)
    a, b = drawn_mask(ia), drawn_mask(ib)
    if a.shape != b.shape:
        return float(a.mean()), float(b.mean()), 0.0, None
    union = np.count_nonzero(a | b)
    iou = np.count_nonzero(a & b) / union if union else 0.0
    ca = np.where(a[..., None], ia[..., :3], 255).astype(np.int16)
    cb = np.where(b[..., None], ib[..., :3], 255).astype(np.int16)
    mad = float(np.abs(ca - cb).mean())
    return float(a.mean()), float(b.mean()), iou, mad


def cover(path):
    return float(drawn_mask(read_rgba(path)).mean())


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('a')
    ap.add_argument('b')
    ap.add_argument('--min-iou', type=float, default=MIN_IOU)
    a = ap.parse_args()
    ca, cb, iou, mad = compare(a.a, a.b)
    print('%.4f\t%.4f\t%.4f\t%s' % (ca, cb, iou, '' if mad is None else '%.1f' % mad))
    return 0 if ca > 0 and cb > 0 and iou >= a.min_iou else 1


if __name__ == '__main__':
    sys.exit(main())
