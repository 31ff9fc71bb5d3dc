#!/usr/bin/python3
"""A plain Modbus TCP server from Debian's python3-pymodbus: a datastore that stores any value.

Nobody here wrote its Modbus stack, so the harness meets a device whose behaviour it does not
control: no range check, no exception for an out-of-range value, its own register layout.

Layout (pymodbus datastore terms): holding registers at block addresses 1..20. pymodbus maps a
request for protocol address A to block address A + 1 unless zero_mode is set (its off-by-one
quirk), so block register 10 (seeded with 450 = 45.0 degC at scale 0.1) is protocol address 9.
The target profile says `address: 9`; the harness knows nothing about this.

Usage: pymodbus_server.py --port N [--host 127.0.0.1]
pymodbus prints nothing reliable when it listens, so callers wait for the TCP port.
"""
import argparse
import logging

from pymodbus.datastore import ModbusSequentialDataBlock, ModbusServerContext, ModbusSlaveContext
from pymodbus.server import StartTcpServer

SEED_BLOCK_ADDRESS = 10
SEED_VALUE = 450


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    args = ap.parse_args()
    logging.basicConfig(level=logging.WARNING)

    values = [0] * 20  # block addresses 1..20
    values[SEED_BLOCK_ADDRESS - 1] = SEED_VALUE
    slave = ModbusSlaveContext(
        hr=ModbusSequentialDataBlock(1, values),
        ir=ModbusSequentialDataBlock(1, [0] * 20),
        co=ModbusSequentialDataBlock(1, [False] * 20),
        di=ModbusSequentialDataBlock(1, [False] * 20),
    )
    context = ModbusServerContext(slaves=slave, single=True)
    StartTcpServer(context=context, address=(args.host, args.port))


if __name__ == "__main__":
    main()
