#ifndef HEARTH_CLIBPQ_SHIM_H
#define HEARTH_CLIBPQ_SHIM_H

#include <libpq-fe.h>
#include <postgres_ext.h>

/* Swift cannot import character-literal macros, so the diagnostic field codes are re-exported. */
static const int HEARTH_PG_DIAG_SEVERITY_NONLOCALIZED = PG_DIAG_SEVERITY_NONLOCALIZED;
static const int HEARTH_PG_DIAG_SQLSTATE = PG_DIAG_SQLSTATE;
static const int HEARTH_PG_DIAG_MESSAGE_PRIMARY = PG_DIAG_MESSAGE_PRIMARY;
static const int HEARTH_PG_DIAG_MESSAGE_DETAIL = PG_DIAG_MESSAGE_DETAIL;
static const int HEARTH_PG_DIAG_MESSAGE_HINT = PG_DIAG_MESSAGE_HINT;
static const int HEARTH_PG_DIAG_TABLE_NAME = PG_DIAG_TABLE_NAME;
static const int HEARTH_PG_DIAG_COLUMN_NAME = PG_DIAG_COLUMN_NAME;
static const int HEARTH_PG_DIAG_CONSTRAINT_NAME = PG_DIAG_CONSTRAINT_NAME;

#endif
