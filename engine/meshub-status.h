/* meshub-status.h - `meshub status` for the tool's command table
 * (meshub-status.c): every mesh of the machine, text or one JSON document. */
#pragma once

int cmd_status(int argc, char **argv);
