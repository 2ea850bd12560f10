package io.ratatoskr.testkit;
