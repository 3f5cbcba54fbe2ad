/* For fuzz targets whose code under test reads a file: one private
 * temporary directory per process (in $TMPDIR, else /dev/shm when there is
 * one: graph_save's fsync costs milliseconds on a disk), removed at exit,
 * and the input written to a file in it under a name of the caller's
 * choosing. */
#ifndef RITMO_FUZZ_FILE_H
#define RITMO_FUZZ_FILE_H

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char fuzz_dir[256];
static char fuzz_path[320];

static void
fuzz_dir_remove(void)
{
    if (fuzz_path[0])
        unlink(fuzz_path);
    if (fuzz_dir[0])
        rmdir(fuzz_dir);
}

/* Writes data to <private dir>/name and returns that path (valid until the
 * next call); aborts when the file cannot be written. */
static inline const char *
fuzz_file_write(const char *name, const uint8_t *data, size_t size)
{
    if (!fuzz_dir[0]) {
        const char *tmp = getenv("TMPDIR");
        if (!tmp || !*tmp)
            tmp = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
        snprintf(fuzz_dir, sizeof fuzz_dir, "%s/ritmo-fuzz-XXXXXX", tmp);
        if (!mkdtemp(fuzz_dir)) {
            perror("fuzz: mkdtemp");
            abort();
        }
        atexit(fuzz_dir_remove);
    }
    if (fuzz_path[0])
        unlink(fuzz_path);
    snprintf(fuzz_path, sizeof fuzz_path, "%s/%s", fuzz_dir, name);
    int fd = open(fuzz_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) {
        perror("fuzz: open");
        abort();
    }
    size_t done = 0;
    while (done < size) {
        ssize_t w = write(fd, data + done, size - done);
        if (w <= 0) {
            perror("fuzz: write");
            abort();
        }
        done += (size_t)w;
    }
    close(fd);
    return fuzz_path;
}

#endif
