/*
 * Reference Modbus TCP client for the bench (figure 2): libmodbus, the C library most Modbus tools
 * are built on. K threads, one connection each, loop FC03 "read 1 holding register at address A"
 * back to back for S seconds; a response counts when libmodbus accepted it (transaction id, unit,
 * function code and length all checked by the library) and it carried exactly one register.
 *
 *   modbus-ref HOST PORT SECONDS CONNECTIONS [UNIT] [ADDRESS]
 *   prints one JSON line: {"sent":N,"verified":N,"errors":N,"seconds":S,"connections":K}
 *
 * Built by the bench with: cc -O2 -o modbus-ref modbus-ref.c $(pkg-config --cflags --libs libmodbus) -lpthread
 */
#include <errno.h>
#include <modbus.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static const char *host;
static int port, unit = 1, address = 0;
static double seconds;

struct counts { long sent, verified, errors; };

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void *worker(void *arg) {
  struct counts *c = arg;
  modbus_t *ctx = modbus_new_tcp(host, port);
  if (!ctx) { c->errors++; return NULL; }
  modbus_set_slave(ctx, unit);
  modbus_set_response_timeout(ctx, 1, 0);
  if (modbus_connect(ctx) == -1) { c->errors++; modbus_free(ctx); return NULL; }
  uint16_t reg;
  double end = now() + seconds;
  while (now() < end) {
    c->sent++;
    int rc = modbus_read_registers(ctx, address, 1, &reg);
    if (rc == 1) c->verified++;
    else {
      c->errors++;
      /* A broken connection would make every later request fail at once: reconnect. */
      if (errno == ECONNRESET || errno == EPIPE || errno == EBADF) {
        modbus_close(ctx);
        if (modbus_connect(ctx) == -1) break;
      }
    }
  }
  modbus_close(ctx);
  modbus_free(ctx);
  return NULL;
}

int main(int argc, char **argv) {
  if (argc < 5) {
    fprintf(stderr, "usage: %s HOST PORT SECONDS CONNECTIONS [UNIT] [ADDRESS]\n", argv[0]);
    return 2;
  }
  host = argv[1];
  port = atoi(argv[2]);
  seconds = atof(argv[3]);
  int k = atoi(argv[4]);
  if (argc > 5) unit = atoi(argv[5]);
  if (argc > 6) address = atoi(argv[6]);
  if (k < 1 || k > 256) { fprintf(stderr, "connections 1..256\n"); return 2; }
  pthread_t th[256];
  struct counts c[256] = {0};
  double t0 = now();
  for (int i = 0; i < k; i++) pthread_create(&th[i], NULL, worker, &c[i]);
  struct counts total = {0};
  for (int i = 0; i < k; i++) {
    pthread_join(th[i], NULL);
    total.sent += c[i].sent;
    total.verified += c[i].verified;
    total.errors += c[i].errors;
  }
  printf("{\"sent\":%ld,\"verified\":%ld,\"errors\":%ld,\"seconds\":%.4f,\"connections\":%d}\n", total.sent, total.verified, total.errors, now() - t0, k);
  return 0;
}
