// The MPI handles Swift cannot import (Open MPI defines them as macros that cast the address of a
// global), returned by inline functions. Used only when the package is built with the MPI trait.
#ifndef TWOTOWER_CMPI_SHIM_H
#define TWOTOWER_CMPI_SHIM_H
#include <mpi.h>

static inline MPI_Comm tt_mpi_comm_world(void) { return MPI_COMM_WORLD; }
static inline MPI_Datatype tt_mpi_float(void) { return MPI_FLOAT; }
static inline MPI_Datatype tt_mpi_double(void) { return MPI_DOUBLE; }
static inline MPI_Datatype tt_mpi_int32(void) { return MPI_INT32_T; }
static inline MPI_Datatype tt_mpi_int64(void) { return MPI_INT64_T; }
static inline MPI_Datatype tt_mpi_uint8(void) { return MPI_UINT8_T; }
static inline MPI_Op tt_mpi_max(void) { return MPI_MAX; }
static inline int tt_mpi_success(void) { return MPI_SUCCESS; }
static inline int tt_mpi_thread_serialized(void) { return MPI_THREAD_SERIALIZED; }
static inline MPI_Errhandler tt_mpi_errors_return(void) { return MPI_ERRORS_RETURN; }
static inline int tt_mpi_max_error_string(void) { return MPI_MAX_ERROR_STRING; }

#endif
