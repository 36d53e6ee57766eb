extension InteractionLog {
    /// Attaches side features read from a second delimited file keyed by user or item id (e.g.
    /// MovieLens `movies.csv` keyed by `movieId`, with `genres` as a multi-valued item feature).
    ///
    /// Rows of the side file whose key is not in the log's vocabulary are ignored; users/items
    /// missing from the side file get no values. The first line for a key wins. Keys follow
    /// ``IdRule`` with `keyKind` (MovieLens: `.integer`, so `01` is movie `1`); a bad key (empty,
    /// control characters, not an integer) is an error naming the line, skipped with `skipBadLines`.
    public func attachingFeatures(from path: String, format: DelimitedFormat, key: ColumnReference,
                                  keyKind: IdKind = .string,
                                  features: [FeatureColumn], options: ReadOptions = ReadOptions())
        throws(DataError) -> InteractionLog {
        guard let target = features.first?.target else { return self }
        precondition(features.allSatisfy { $0.target == target }, "attachingFeatures: all features must describe the same side")
        let name = FileIO.displayName(path)
        let file = try ChunkedFile(path: path)
        var tok = RecordTokenizer(file: file, delimiter: Array(format.delimiter.utf8), quoting: format.quoting,
                                  maxRecordBytes: options.maxLineBytes)
        let header = format.hasHeader ? try tok.readHeader(file: name) : []
        func resolve(_ ref: ColumnReference) throws(DataError) -> Int {
            switch ref {
            case .index(let i): return i
            case .name(let n):
                if let i = header.firstIndex(of: n) { return i }
                if header.count == 1, let other = otherDelimiter(in: header[0], than: format.delimiter) {
                    throw .wrongDelimiter(file: name, line: 1, expected: delimiterName(format.delimiter), found: delimiterName(other))
                }
                throw .missingColumn(file: name, column: n, header: header)
            }
        }
        let keyIndex = try resolve(key)
        var builders: [FeatureBuilder] = []
        for f in features { builders.append(FeatureBuilder(spec: f, fieldIndex: try resolve(f.column))) }
        let needed = ([keyIndex] + builders.map(\.fieldIndex)).max()! + 1
        let vocabulary = target == .user ? userVocabulary : itemVocabulary
        let keys = ByteKeyTable(ids: vocabulary.ids)
        let rows = vocabulary.count
        // Values per row, gathered in file order, then laid out CSR in row order.
        var rowRecords = [Int32](repeating: -1, count: rows)
        var recordBuilders = builders  // each record appended as one row of these, in file order
        var recordCount: Int32 = 0
        let scratch = UnsafeMutablePointer<UInt8>.allocate(capacity: IdRule.scratchBytes)
        defer { scratch.deallocate() }
        while try tok.next() {
            if tok.fieldCount < needed {
                let error = tok.terminated
                    ? DataError.missingFields(file: name, line: tok.line, expected: needed, found: tok.fieldCount)
                    : DataError.truncatedLastLine(file: name, line: tok.line, detail: "expected at least \(needed) fields, found \(tok.fieldCount)")
                if options.skipBadLines { continue }
                throw error
            }
            let kp: UnsafePointer<UInt8>, kn: Int
            do throws(DataError) {
                (kp, kn) = try IdRule.normalized(tok.start(keyIndex), tok.length(keyIndex), integer: keyKind == .integer,
                                                 scratch: scratch, file: name, line: tok.line,
                                                 column: tok.columnName(keyIndex), what: "a key id")
            } catch {
                if options.skipBadLines { continue }
                throw error
            }
            guard let row = keys.find(kp, kn), rowRecords[Int(row)] < 0 else { continue }
            var bad = false
            for b in recordBuilders where !FieldParsing.isValidUTF8(tok.start(b.fieldIndex), tok.length(b.fieldIndex)) {
                if options.skipBadLines { bad = true; break }
                throw .invalidUTF8(file: name, line: tok.line, column: tok.columnName(b.fieldIndex))
            }
            if bad { continue }
            rowRecords[Int(row)] = recordCount
            recordCount += 1
            for k in recordBuilders.indices {
                let f = recordBuilders[k].fieldIndex
                recordBuilders[k].addRow(tok.start(f), tok.length(f))
            }
        }
        // Reorder the per-record CSR into row order (rows without a record get no values).
        var out = self
        for b in recordBuilders {
            let byRecord = b.finish(rows: Int(recordCount))
            var offsets: [Int32] = [0]
            offsets.reserveCapacity(rows + 1)
            var values: [Int32] = []
            for r in 0..<rows {
                let rec = rowRecords[r]
                if rec >= 0 { values.append(contentsOf: byRecord.values(of: Int(rec))) }
                offsets.append(Int32(values.count))
            }
            let table = FeatureTable(name: byRecord.name, target: target, kind: byRecord.kind,
                                     vocabulary: byRecord.vocabulary, offsets: offsets, values: values)
            if target == .user { out.userFeatures.append(table) } else { out.itemFeatures.append(table) }
        }
        return out
    }
}
