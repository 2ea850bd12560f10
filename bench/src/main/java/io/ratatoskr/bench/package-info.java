package io.ratatoskr.bench;
