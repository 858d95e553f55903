#! /bin/sh
# Creates configure and the Makefile.in files from a fresh checkout.
autoreconf --install --force
